"""The organisation directory: units, employees, personal profiles, roles, HRIS import, API tokens."""
