"""Scheduling policies: which pod takes a new resource."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from collections.abc import Sequence
from typing import ClassVar

from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.version import PLUGIN_API_VERSION


@dataclasses.dataclass(frozen=True)
class RequestSpec:
    """What is being placed: for whom, of which kind, in which zone.

    ``bindings`` counts the projects actively bound to each candidate
    (by pod id).
    """

    project_id: str
    resource_type: str
    az_name: str | None
    bindings: Mapping[str, int] = dataclasses.field(default_factory=dict)


class SchedulingPolicy(abc.ABC):
    """Chooses a pod among enabled, reachable candidates.

    The core persists the choice as the project's binding in the zone,
    so a policy is asked once per (project, zone) until the binding is
    removed.
    """

    plugin_api: ClassVar[int] = PLUGIN_API_VERSION

    @abc.abstractmethod
    def select_pod(self, spec: RequestSpec,
                   candidates: Sequence[Pod]) -> Pod:
        """Return one of ``candidates`` (never empty).

        :raises NoValidPod: none of them suits ``spec``.
        """

    def describe(self) -> str:
        """One line for ``trio2o-manage plugins list``."""
        return (self.__doc__ or type(self).__name__).strip().splitlines()[0]
