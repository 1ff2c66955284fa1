from insideout.servicedesk.views import agreements, cooperation, manage, obstacles, portal, workspace

app_name = "servicedesk"

urlpatterns = [
    *portal.urlpatterns,
    *workspace.urlpatterns,
    *manage.urlpatterns,
    *cooperation.urlpatterns,
    *obstacles.urlpatterns,
    *agreements.urlpatterns,
]
