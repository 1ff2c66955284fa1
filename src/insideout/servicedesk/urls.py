from insideout.servicedesk.views import manage, portal, workspace

app_name = "servicedesk"

urlpatterns = [*portal.urlpatterns, *workspace.urlpatterns, *manage.urlpatterns]
