"""Loads the enabled plugins by entry-point name, through stevedore."""

from stevedore import named

from blazar import exceptions

PLUGIN_NAMESPACE = 'blazar.resource.plugins'
SCHEMA_NAMESPACE = 'blazar.resource.schemas'


def _load(namespace, names, *args):
    manager = named.NamedExtensionManager(
        namespace, names, invoke_on_load=True, invoke_args=args,
        on_load_failure_callback=_fail)
    by_name = {ext.name: ext.obj for ext in manager}
    missing = sorted(set(names) - set(by_name))
    if missing:
        raise exceptions.BlazarError(
            'Unknown resource plugins in [manager] plugins: %s'
            % ', '.join(missing))
    return _by_resource_type(by_name[name] for name in names)


def _fail(_manager, entrypoint, error):
    raise exceptions.BlazarError('Cannot load plugin %s: %s'
                                 % (entrypoint.name, error))


def _by_resource_type(objects):
    registry = {}
    for obj in objects:
        if obj.resource_type in registry:
            raise exceptions.BlazarError(
                'Two plugins handle resource type %s' % obj.resource_type)
        registry[obj.resource_type] = obj
    return registry


def load_plugins(conf):
    """Resource type -> plugin instance, for the manager; each plugin has
    been told of the others."""
    plugins = _load(PLUGIN_NAMESPACE, conf.manager.plugins, conf)
    for plugin in plugins.values():
        plugin.plugins_loaded(plugins)
    return plugins


def load_schemas(conf):
    """Resource type -> request schema, for the API."""
    return _load(SCHEMA_NAMESPACE, conf.manager.plugins)


def get(registry, resource_type):
    try:
        return registry[resource_type]
    except (KeyError, TypeError):
        raise exceptions.UnsupportedResourceType(resource_type=resource_type)
