"""What the printed documents share: the page furniture (the marking at the top and the
bottom of every page, "Page X of Y", the document id), fonts, names at a data level,
tables, and the spider diagram as vector drawing.

They grew in :mod:`reports.briefing`, the first document; this module names them for the
briefing pack (and any document after it), so the pack uses the briefing's own page
template and drawing rather than a copy, and neither module reaches into the other's
private names. The briefing's behaviour is the contract: a change there shows here.
"""

from __future__ import annotations

from saferyp_desktop.domain.levels import NameScrubber
from saferyp_desktop.reports.briefing import (
    DIAGRAM_LEGEND_BAND,
    DIAGRAM_TITLE_BAND,
    GRID,
    HEADER_FILL,
    HEADING,
    HIGH_COLOUR,
    INK,
    LABEL_UNITS,
    LANDSCAPE,
    LANDSCAPE_MARGINS,
    LEVEL_EXPLANATIONS,
    MUTED,
    OVERVIEW_MIN_LABEL,
    PORTRAIT,
    PORTRAIT_MARGINS,
    RULE,
    STATUS_ORDER,
    STRIPE,
    TICK_BOX,
    TILE_MIN_SCALE,
    BriefingData,
    document_template,
    long_date,
    render_document,
    short_document_id,
)
from saferyp_desktop.reports.briefing import _binary_streams as binary_streams
from saferyp_desktop.reports.briefing import _choose_fonts as choose_fonts
from saferyp_desktop.reports.briefing import _Chrome as PageChrome
from saferyp_desktop.reports.briefing import _code_key as code_key
from saferyp_desktop.reports.briefing import _DiagramPage as DiagramPage
from saferyp_desktop.reports.briefing import _DiagramPainter as DiagramPainter
from saferyp_desktop.reports.briefing import _draw_shape as draw_shape
from saferyp_desktop.reports.briefing import _Fonts as Fonts
from saferyp_desktop.reports.briefing import _Mark as OutlineMark
from saferyp_desktop.reports.briefing import _Namer as Namer
from saferyp_desktop.reports.briefing import _NumberedCanvas as NumberedCanvas
from saferyp_desktop.reports.briefing import _plan_tiles as plan_tiles
from saferyp_desktop.reports.briefing import _texts_of as texts_of
from saferyp_desktop.reports.briefing import _Tile as Tile
from saferyp_desktop.reports.briefing import _Writer as DocumentWriter

__all__ = [
    "DIAGRAM_LEGEND_BAND",
    "DIAGRAM_TITLE_BAND",
    "GRID",
    "HEADER_FILL",
    "HEADING",
    "HIGH_COLOUR",
    "INK",
    "LABEL_UNITS",
    "LANDSCAPE",
    "LANDSCAPE_MARGINS",
    "LEVEL_EXPLANATIONS",
    "MUTED",
    "OVERVIEW_MIN_LABEL",
    "PORTRAIT",
    "PORTRAIT_MARGINS",
    "RULE",
    "STATUS_ORDER",
    "STRIPE",
    "TICK_BOX",
    "TILE_MIN_SCALE",
    "BriefingData",
    "DiagramPage",
    "DiagramPainter",
    "DocumentWriter",
    "Fonts",
    "NameScrubber",
    "Namer",
    "NumberedCanvas",
    "OutlineMark",
    "PageChrome",
    "Tile",
    "binary_streams",
    "choose_fonts",
    "code_key",
    "document_template",
    "draw_shape",
    "long_date",
    "plan_tiles",
    "render_document",
    "short_document_id",
    "texts_of",
]
