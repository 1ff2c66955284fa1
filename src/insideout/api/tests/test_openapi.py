"""The OpenAPI schema (served, and checked in as ``docs/openapi.json``) and the interactive docs page."""

import json
import re
from pathlib import Path

from django.test import Client

SCHEMA_FILE = Path(__file__).resolve().parents[4] / "docs" / "openapi.json"
REGENERATE = "docs/openapi.json is out of date: run `.venv/bin/python tools/openapi.py` and commit the result."


def test_the_schema_is_served_as_json_and_lists_every_path(db, client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = json.loads(response.content)
    assert schema["openapi"] == "3.1.0"
    assert (schema["info"]["title"], schema["info"]["version"]) == ("InsideOut API", "1")
    assert {path: sorted(methods) for path, methods in schema["paths"].items()} == {
        "/api/v1/me": ["get"],
        "/api/v1/me/profile": ["get", "patch"],
        "/api/v1/people": ["get"],
        "/api/v1/people/{person_id}": ["get"],
        "/api/v1/units": ["get"],
        "/api/v1/units/{unit_id}": ["get"],
        "/api/v1/services": ["get"],
        "/api/v1/services/{service_id}": ["get", "patch"],
        "/api/v1/services/{service_id}/request-types": ["get", "post"],
        "/api/v1/requests": ["get", "post"],
        "/api/v1/requests/{request_id}": ["get"],
        "/api/v1/requests/{request_id}/clocks": ["get"],
        "/api/v1/requests/{request_id}/comments": ["get", "post"],
        "/api/v1/requests/{request_id}/transition": ["post"],
        "/api/v1/requests/{request_id}/assign": ["post"],
        "/api/v1/requests/{request_id}/priority": ["post"],
        "/api/v1/requests/{request_id}/history": ["get"],
        "/api/v1/desks": ["get"],
        "/api/v1/desks/{desk_id}": ["get", "patch"],
        "/api/v1/desks/{desk_id}/calendar": ["get", "put"],
        "/api/v1/desks/{desk_id}/services": ["post"],
        "/api/v1/request-types/{request_type_id}": ["patch"],
        "/api/v1/request-types/{request_type_id}/standards": ["get"],
        "/api/v1/request-types/{request_type_id}/standards/{priority}": ["put"],
        "/api/v1/requests/{request_id}/commitments": ["post"],
        "/api/v1/commitments": ["get", "post"],
        "/api/v1/commitments/{commitment_id}": ["get"],
        "/api/v1/commitments/{commitment_id}/revise": ["post"],
        "/api/v1/commitments/{commitment_id}/done": ["post"],
        "/api/v1/requests/{request_id}/needed-by": ["post"],
        "/api/v1/requests/{request_id}/needed-by/{needed_by_id}/respond": ["post"],
        "/api/v1/requests/{request_id}/feedback": ["post"],
        "/api/v1/requests/{request_id}/thanks": ["post"],
        "/api/v1/requests/{request_id}/obstacles": ["get", "post"],
        "/api/v1/obstacles/{obstacle_id}/resolve": ["post"],
        "/api/v1/agreements": ["get", "post"],
        "/api/v1/agreements/{agreement_id}": ["get"],
        "/api/v1/agreements/{agreement_id}/propose": ["post"],
        "/api/v1/agreements/{agreement_id}/accept": ["post"],
        "/api/v1/agreements/{agreement_id}/decline": ["post"],
        "/api/v1/agreements/{agreement_id}/revise": ["post"],
        "/api/v1/agreements/{agreement_id}/adherence": ["get"],
        "/api/v1/values": ["get"],
        "/api/v1/recognitions": ["get", "post"],
        "/api/v1/recognitions/{recognition_id}": ["get"],
        "/api/v1/recognitions/{recognition_id}/boost": ["post"],
        "/api/v1/me/points": ["get"],
        "/api/v1/me/ledger": ["get"],
        "/api/v1/rewards": ["get"],
        "/api/v1/redemptions": ["get", "post"],
        "/api/v1/redemptions/{redemption_id}": ["get"],
        "/api/v1/redemptions/{redemption_id}/fulfil": ["post"],
        "/api/v1/redemptions/{redemption_id}/cancel": ["post"],
        "/api/v1/awards": ["get", "post"],
        "/api/v1/awards/{award_id}/approve": ["post"],
        "/api/v1/awards/{award_id}/reject": ["post"],
        "/api/v1/badges": ["get"],
        "/api/v1/people/{person_id}/badges": ["get"],
        "/api/v1/badges/{badge_id}/grant": ["post"],
        "/api/v1/leaderboards": ["get"],
        "/api/v1/team-goals": ["get"],
        "/api/v1/people/{person_id}/certificates": ["post"],
    }
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_the_schema_needs_no_sign_in(db):
    assert Client().get("/api/v1/openapi.json").status_code == 200


def test_the_checked_in_schema_is_the_live_one(db, client):
    live = client.get("/api/v1/openapi.json").json()

    assert live == json.loads(SCHEMA_FILE.read_text(encoding="utf-8")), REGENERATE


def test_the_docs_page_loads_with_every_asset_served_locally(db, client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets == [
        "/static/ninja/swagger-ui.css",
        "/static/ninja/favicon.svg",
        "/static/ninja/favicon.png",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []
    assert [client.get(asset).status_code for asset in assets] == [200] * len(assets)


def test_the_docs_page_asks_no_outside_validator_and_sends_the_csrf_token(db, client):
    html = client.get("/api/v1/docs").content.decode()

    settings = re.search(r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S)
    assert settings is not None
    assert json.loads(settings.group(1)) == {
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,
        "url": "/api/v1/openapi.json",
    }
    assert 'data-api-csrf="true"' in html
