"""Write the REST API's OpenAPI schema to ``docs/openapi.json``, the checked-in copy (C8).

Run it after changing an endpoint or one of its schemas, and commit the result with the change::

    .venv/bin/python tools/openapi.py          # rewrite docs/openapi.json
    .venv/bin/python tools/openapi.py --check  # exit 1 if the file is out of date

A test (``src/insideout/api/tests/test_openapi.py``) compares the live schema with the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "openapi.json"


def live_schema() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from ninja.responses import NinjaJSONEncoder

    from insideout.api.urls import api

    # Through the encoder the endpoint uses, so the file holds exactly what clients download.
    schema: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the file differs")
    args = parser.parse_args()
    text = render(live_schema())
    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE.relative_to(ROOT)} is out of date; run: .venv/bin/python tools/openapi.py")
            return 1
        print(f"{SCHEMA_FILE.relative_to(ROOT)} is up to date.")
        return 0
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"Wrote {SCHEMA_FILE.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
