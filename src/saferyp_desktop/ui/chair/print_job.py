"""Printing a PDF the chair holds (a school's briefing, the briefing pack): the print
dialog, then :func:`ui.printing.print_pdf` off the GUI thread with its progress shown."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from saferyp_desktop.ui.dialogs import dialogs
from saferyp_desktop.ui.tasks import Task, TaskContext, error_sentence, run_with_progress


def _tr(text: str) -> str:
    return QCoreApplication.translate("PrintJob", text)


def print_document(parent: QWidget, title: str, pdf_bytes: bytes,
                   printer: QPrinter | None = None) -> Task | None:
    """Ask for a printer (unless ``printer`` is given), then print every page of
    ``pdf_bytes`` on a worker thread. Returns the running task, or None if cancelled."""
    from saferyp_desktop.ui.printing import print_pdf

    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        chooser = QPrintDialog(printer, parent)
        chooser.setWindowTitle(title)
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return None

    def job(context: TaskContext) -> int:
        def progress(done: int, total: int) -> bool:
            context.progress(done, total, _tr("Printing page %d of %d…") % (done, total))
            return not context.cancelled

        return print_pdf(pdf_bytes, printer, progress)

    task = run_with_progress(parent, title, _tr("Printing…"), job)
    task.printer = printer  # type: ignore[attr-defined]  # kept alive while it prints
    task.failed.connect(lambda error: dialogs().error(parent, _tr("Not printed"), error_sentence(error)))
    return task
