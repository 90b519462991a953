"""The version of the plugin contract."""

#: Bumped on every incompatible change of :mod:`trio2o_core.plugin`; the
#: loader refuses plugins whose ``plugin_api`` differs.
PLUGIN_API_VERSION = 4
