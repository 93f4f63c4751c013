"""Request context: who is asking, carried from the API to the manager."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """oslo.context's context, able to carry a database transaction."""

    @property
    def is_admin_context(self):
        return self.is_admin or 'admin' in (self.roles or [])

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(values)


def admin_context():
    """The context of the manager's own work (events, reconciliation)."""
    return RequestContext(is_admin=True, roles=['admin'],
                          overwrite=False)
