def test_org_fixture_builds_the_directory(org):
    assert org["it"].path == f"/{org['company'].pk}/{org['it'].pk}/"
    assert org["agent"].manager == org["lead"]
