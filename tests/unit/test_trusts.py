"""The deciding parts of lease trusts: whose credentials, which scope, and
what Keystone's failures become. Creating, using and deleting trusts is
tested against the test cloud's Keystone in
tests/integration/test_keystone.py."""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from blazar.conf import nova as nova_opts
from blazar.conf import trustee as trustee_opts
from blazar import exceptions
from blazar import trusts

SERVICE_USER = {'auth_type': 'password', 'auth_url': 'http://keystone/v3',
                'username': 'blazar', 'password': 'secret',
                'user_domain_name': 'Default', 'project_name': 'service',
                'project_domain_name': 'Default'}


class TrusteeCredentialsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        nova_opts.register_opts(self.conf)
        trustee_opts.register_opts(self.conf)
        self.fixture = self.useFixture(config_fixture.Config(self.conf))

    def configure(self, group, options):
        self.fixture.config(group=group, auth_type=options['auth_type'])
        # The password plugin's options exist once its type is chosen.
        self.fixture.register_opts(
            ks_loading.get_auth_plugin_conf_options('password'), group=group)
        self.fixture.config(group=group, **{
            name: value for name, value in options.items()
            if name != 'auth_type'})

    def test_trustee_group_first_then_nova(self):
        self.configure('nova', SERVICE_USER)
        self.assertEqual('nova', trusts.credentials_group(self.conf))
        self.configure('trustee', SERVICE_USER)
        self.assertEqual('trustee', trusts.credentials_group(self.conf))

    def test_no_credentials_is_a_clear_503(self):
        error = self.assertRaises(exceptions.ServiceUnavailable,
                                  trusts.credentials_group, self.conf)
        self.assertIn('set the credentials of Blazar\'s service user in '
                      '[trustee] (or [nova])', str(error))

    def test_session_is_scoped_by_the_trust_alone(self):
        self.configure('trustee', SERVICE_USER)
        generic = trusts.session_for(self.conf, 'trust-1').auth
        # What the generic plugin sends once discovery found Keystone v3.
        auth = generic.create_plugin(None, (3, 0), SERVICE_USER['auth_url'])
        self.assertEqual('trust-1', auth.trust_id)
        self.assertEqual('blazar', auth.auth_methods[0].username)
        self.assertEqual((None, None, None, None), (
            auth.project_id, auth.project_name, auth.domain_id,
            auth.domain_name))

    def test_deleting_no_trust_asks_nobody(self):
        # No credentials at all: Keystone would be unusable.
        trusts.Trusts(self.conf).delete(None)


class KeystoneFailuresTest(testtools.TestCase):

    def outcome(self, error, refusal_is_callers):
        try:
            with trusts.keystone_failures('act', refusal_is_callers):
                raise error
        except exceptions.BlazarError as raised:
            return type(raised)

    def test_refusals_of_the_callers_token_are_403(self):
        for refusal in (ks_exc.Forbidden(), ks_exc.Unauthorized()):
            self.assertEqual(exceptions.NotAuthorized,
                             self.outcome(refusal, True))
            # Refusing Blazar's own credentials is Blazar's problem.
            self.assertEqual(exceptions.ServiceUnavailable,
                             self.outcome(refusal, False))

    def test_anything_else_is_503(self):
        for error in (ks_exc.ConnectFailure('refused'),
                      ks_exc.InternalServerError(),
                      ks_exc.EndpointNotFound()):
            self.assertEqual(exceptions.ServiceUnavailable,
                             self.outcome(error, True))
