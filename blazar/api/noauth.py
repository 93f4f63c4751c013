"""Identity without Keystone, for tests and the single-process quickstart.

Identity headers, as keystonemiddleware would set them, are trusted when
present; a request without them acts as an admin of project ``admin``.
"""

DEFAULTS = {
    'HTTP_X_USER_ID': 'admin',
    'HTTP_X_PROJECT_ID': 'admin',
    'HTTP_X_ROLES': 'admin,member,reader',
}


class NoAuthMiddleware:

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        for key, value in DEFAULTS.items():
            environ.setdefault(key, value)
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        return self.application(environ, start_response)
