"""What callers see when Nova, Placement or the network fail
(nova_clients.failures_as_domain_errors)."""

from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc
import testtools

from blazar import exceptions
from blazar.plugins.hosts import nova_clients


class FailuresTest(testtools.TestCase):

    def raised(self, error):
        def fail():
            with nova_clients.failures_as_domain_errors('Nova'):
                raise error
        return self.assertRaises(exceptions.BlazarError, fail)

    def test_unreachable_service_is_unavailable(self):
        for error in (ks_exc.ConnectFailure('refused'),
                      ks_exc.ConnectTimeout('timed out'),
                      ks_exc.EndpointNotFound('no compute endpoint'),
                      ks_exc.DiscoveryFailure('no versions')):
            raised = self.raised(error)
            self.assertIsInstance(raised, exceptions.ServiceUnavailable)
            self.assertIn(str(error), str(raised))

    def test_server_errors_and_refused_credentials_are_unavailable(self):
        for error in (nova_exc.ClientException(500, 'boom'),
                      nova_exc.ClientException(503, 'busy'),
                      nova_exc.Forbidden(403, 'not admin'),
                      ks_exc.Unauthorized('bad password'),
                      ks_exc.InternalServerError('placement broke')):
            self.assertIsInstance(self.raised(error),
                                  exceptions.ServiceUnavailable, error)

    def test_refused_operations_are_conflicts(self):
        for error in (nova_exc.Conflict(409, 'host in another zone'),
                      nova_exc.BadRequest(400, 'aggregate not empty'),
                      ks_exc.Conflict('generation changed')):
            raised = self.raised(error)
            self.assertIsInstance(raised, exceptions.Conflict, error)
            self.assertNotIsInstance(raised, exceptions.ServiceUnavailable)

    def test_blazar_errors_pass_unchanged(self):
        error = exceptions.NotFound("Host 'x' not found!")
        self.assertIs(error, self.raised(error))
