"""Routers added by the apps that own them (calendars, procedures); registered in api/urls.py."""
