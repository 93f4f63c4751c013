"""WSGI entry point for the test cloud's Neutron API (no agents, ML2 only).

Neutron 29 answers port listings from ``get_ports()``, which reads the ORM
backref ``Port.port_forwardings`` before it runs any query. SQLAlchemy only
creates backrefs when the mappers are configured, which a full deployment
happens to trigger during start-up and this minimal one never does, so every
port listing (Nova asks for one on server show, list and delete) would fail
with an AttributeError. Configuring the mappers once, at import, avoids that.
The ``router`` service plugin must still be enabled in neutron.conf: it is what
imports the port-forwarding model in the first place.
"""
from neutron.wsgi.api import application  # noqa: F401  (uwsgi entry point)
from sqlalchemy import orm

orm.configure_mappers()
