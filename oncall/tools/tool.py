"""What a tool is: a name, a pydantic input model (its JSON schema is what Claude
sees), a run function given an explicit context, and a description from prompts/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from oncall.core.window import Window

In = TypeVar("In", bound=BaseModel)


@dataclass
class ToolContext:
    """Everything a tool may use, passed explicitly (never globals): the backends,
    the service catalog, and the incident window."""

    backends: Any  # oncall.estate.bundle.Backends; typed loosely so tools/ never imports agent/
    catalog: Any  # oncall.core.catalog.Catalog
    window: Window
    # a CloudWatch alarm's own metric, (alerting service, Namespace:Metric:Stat{...}): read_metrics reads
    # it beside the service's signals when the metrics backend is CloudWatch
    alarm: tuple[str, str] | None = None


@dataclass(frozen=True)
class Summary:
    """What a tool returns: citable text lines and the structured facts behind them."""

    text: str
    data: Any = None


@dataclass(frozen=True)
class Tool(Generic[In]):
    name: str
    input_model: type[In]
    run: Callable[[ToolContext, In], Summary]
    description: str

    def schema(self) -> dict[str, Any]:
        """The JSON schema the model sees, generated from the pydantic model."""
        return self.input_model.model_json_schema()
