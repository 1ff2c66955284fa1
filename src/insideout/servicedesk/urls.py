from insideout.servicedesk.views import manage, obstacles, portal, workspace

app_name = "servicedesk"

urlpatterns = [*portal.urlpatterns, *workspace.urlpatterns, *manage.urlpatterns, *obstacles.urlpatterns]
