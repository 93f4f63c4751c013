"""Builds the API's WSGI application: middleware around the Pecan tree."""

from keystonemiddleware import auth_token
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import pecan

from blazar.api.controllers import root
from blazar.api import hooks
from blazar.api import noauth
from blazar.api import request_log
from blazar.plugins import loader
from blazar.rpc import client as rpc_client
from blazar import trusts


def setup_app(conf, manager_client, plugin_schemas):
    """The Pecan application alone (no authentication)."""
    return pecan.make_app(
        root.RootController(),
        hooks=[hooks.ErrorHook(),
               hooks.BodyHook(conf.api.max_request_body_size),
               hooks.MicroversionHook(), hooks.ContextHook(),
               hooks.ServicesHook(manager_client, plugin_schemas,
                                  trusts.Trusts(conf))],
        guess_content_type_from_ext=True,
        force_canonical=False,
        debug=False)


def build(conf, transport):
    """The full application, composed once, outermost layer last:

    - authentication wraps the resources (keystone tokens, or trusted
      headers in noauth mode);
    - proxy headers are honoured before URLs are built for links;
    - ``/healthcheck`` answers before authentication, for load balancers;
    - the access log sees every response, 401s and health checks too;
    - the request id is outermost, so even a 401 carries one, and the
      access log can name it.
    """
    application = setup_app(conf, rpc_client.ManagerClient(conf, transport),
                            loader.load_schemas(conf))
    if conf.auth_strategy == 'noauth':
        application = noauth.NoAuthMiddleware(application)
    else:
        application = auth_token.AuthProtocol(
            application, {'oslo_config_config': conf})
    application = http_proxy_to_wsgi.HTTPProxyToWSGI(application, conf)
    application = _with_healthcheck(application, conf)
    application = request_log.RequestLog(application)
    return request_id.RequestId(application)


def _with_healthcheck(application, conf):
    check = healthcheck.Healthcheck(None, conf)

    def route(environ, start_response):
        if environ.get('PATH_INFO') == '/healthcheck':
            return check(environ, start_response)
        return application(environ, start_response)
    return route
