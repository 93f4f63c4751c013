"""The wire between the API and the manager: oslo.messaging RPC.

The request context travels through ``ContextSerializer``; errors listed
in ``blazar.exceptions`` are re-raised on the API side as the same class.
"""

import oslo_messaging as messaging

from blazar import context as blazar_context

# 1.0: the first version. 1.1: events_changed takes the time of the
# earliest changed event (``earliest``), so managers sleeping past it need
# not look.
VERSION = '1.1'
ALLOWED_EXMODS = ['blazar.exceptions']


class ContextSerializer(messaging.NoOpSerializer):
    """Carries the request context as a dict on every call."""

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return blazar_context.RequestContext.from_dict(context)


def get_transport(conf):
    return messaging.get_rpc_transport(conf,
                                       allowed_remote_exmods=ALLOWED_EXMODS)


def manager_target(conf, server=None):
    return messaging.Target(topic=conf.manager.rpc_topic, version=VERSION,
                            server=server)
