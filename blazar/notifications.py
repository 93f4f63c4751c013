"""Notifications about leases, sent through oslo.messaging's notifier."""

import oslo_messaging as messaging


def get_notifier(conf):
    transport = messaging.get_notification_transport(conf)
    return messaging.Notifier(transport,
                              publisher_id=conf.notifications.publisher_id)
