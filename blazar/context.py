"""Request context: who is asking, carried from the API to the manager."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """oslo.context's context, able to carry a database transaction.

    ``is_admin`` is decided once, at the API, by the policy rule ``admin``
    (``blazar.policy.is_admin``), and travels with the context over RPC:
    the manager never re-derives admin-ness from role names, so a policy
    file that redefines ``admin`` changes what both processes see.
    """

    @property
    def is_admin_context(self):
        return bool(self.is_admin)

    def to_policy_values(self):
        # oslo.context leaves is_admin out; the default rule ``admin``
        # starts with ``is_admin:True`` and needs it.
        values = super().to_policy_values()
        values['is_admin'] = bool(self.is_admin)
        return values

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(values)


def admin_context():
    """The context of the manager's own work (events, reconciliation)."""
    return RequestContext(is_admin=True, roles=['admin'],
                          overwrite=False)
