"""Printing a PDF through Qt's printer support.

Qt's own PDF module is not part of the program's Qt, so each page is rasterised with
PDFium (``pypdfium2``) at the printer's resolution, capped at :data:`MAX_DPI`, and
painted onto the printer's page, fitted and centred, keeping its shape. A page whose
orientation differs from the paper's turns the paper (or, where the printer cannot
change it mid-job, the picture).

:func:`print_pdf` may run on a worker thread: Qt allows painting on a QPrinter off the
GUI thread, and PDFium is used by one thread at a time (:data:`_PDFIUM`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pypdfium2
from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPainter, QTransform
from PySide6.QtPrintSupport import QPrinter

from saferyp_desktop.errors import SaferypError

MAX_DPI = 300
POINTS_PER_INCH = 72.0

# PDFium is not thread-safe: every use in this process goes through this lock.
_PDFIUM = threading.Lock()

# progress(pages done, page count) → False to stop before the next page.
Progress = Callable[[int, int], "bool | None"]


class PrintFailed(SaferypError):
    exit_code = 91  # the desktop program's own; the command never prints
    default_message = "The briefing could not be printed; check the printer and try again."


def page_count(pdf_bytes: bytes) -> int:
    """How many pages a PDF has."""
    with _PDFIUM:
        document = _open(pdf_bytes)
        try:
            return len(document)
        finally:
            document.close()


def _open(pdf_bytes: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(bytes(pdf_bytes))
    except pypdfium2.PdfiumError:
        raise PrintFailed("The document to print is damaged; make it again.") from None


def render_page(page: pypdfium2.PdfPage, dpi: float) -> QImage:
    """One page as an RGB image at ``dpi`` (a copy Qt owns)."""
    bitmap = page.render(
        scale=dpi / POINTS_PER_INCH,
        rev_byteorder=True,
        prefer_bgrx=True,
        optimize_mode="print",
        fill_color=(255, 255, 255, 255),
    )
    try:
        image = QImage(
            bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888
        )
        return image.copy()  # detach from PDFium's buffer before it is freed
    finally:
        bitmap.close()


def _fit(size: QSizeF, box: QRectF) -> QRectF:
    """``size`` scaled to fit inside ``box``, keeping its shape, centred."""
    if size.width() <= 0 or size.height() <= 0:
        return box
    scale = min(box.width() / size.width(), box.height() / size.height())
    width, height = size.width() * scale, size.height() * scale
    return QRectF(
        box.x() + (box.width() - width) / 2, box.y() + (box.height() - height) / 2, width, height
    )


def _wanted_orientation(width_pt: float, height_pt: float) -> QPageLayout.Orientation:
    return (
        QPageLayout.Orientation.Landscape
        if width_pt > height_pt
        else QPageLayout.Orientation.Portrait
    )


def print_pdf(
    pdf_bytes: bytes,
    printer: QPrinter,
    progress: Progress | None = None,
    *,
    pages: tuple[int, int] | None = None,
) -> int:
    """Print ``pdf_bytes`` on ``printer`` (already set up, e.g. by a print dialog, or for
    a PDF file): every page, or ``pages`` (first, last; counted from 1). Returns the
    number of pages printed; ``progress(done, total)`` is called after each page and may
    return False to stop (the pages sent so far stay sent).

    Raises PrintFailed if the printer cannot be started or the document is damaged.
    """
    dpi = float(min(printer.resolution(), MAX_DPI)) or float(MAX_DPI)
    printed = 0
    with _PDFIUM:
        document = _open(pdf_bytes)
        try:
            first, last = pages or (1, len(document))
            indexes = range(max(first, 1) - 1, min(last, len(document)))
            total = len(indexes)
            if total == 0:
                return 0
            opening = document[indexes[0]]
            try:
                printer.setPageOrientation(_wanted_orientation(*opening.get_size()))
            finally:
                opening.close()
            painter = QPainter()
            if not painter.begin(printer):
                raise PrintFailed()
            try:
                for index in indexes:
                    page = document[index]
                    try:
                        width_pt, height_pt = page.get_size()
                        if printed > 0:
                            # Turning the paper takes effect from the next page.
                            printer.setPageOrientation(_wanted_orientation(width_pt, height_pt))
                            if not printer.newPage():
                                raise PrintFailed()
                        image = render_page(page, dpi)
                    finally:
                        page.close()
                    _paint(painter, printer, image, landscape=width_pt > height_pt)
                    printed += 1
                    if progress is not None and progress(printed, total) is False:
                        break
            finally:
                painter.end()
        finally:
            document.close()
    return printed


def _paint(painter: QPainter, printer: QPrinter, image: QImage, *, landscape: bool) -> None:
    box = printer.pageLayout().paintRectPixels(printer.resolution()).toRectF()
    box.moveTo(0, 0)  # the painter's origin is the top left of the printable area
    paper_landscape = box.width() > box.height()
    if landscape != paper_landscape:
        # The printer kept the paper as it was: turn the picture instead.
        image = image.transformed(QTransform().rotate(90))
    target = _fit(QSizeF(image.size()), box)
    painter.drawImage(target, image)
