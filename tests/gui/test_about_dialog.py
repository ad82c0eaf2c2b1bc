"""Help ▸ About shows the SQLCipher in use and every bundled library's licence."""

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from saferyp_desktop.ui.about_dialog import AboutDialog


def test_about_shows_sqlcipher_4_and_the_licences(qtbot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    versions = dialog.findChild(QLabel, "aboutVersions")
    assert versions is not None and "SQLCipher 4." in versions.text()
    names = {dialog.table.item(row, 0).text().split(" (")[0] for row in range(dialog.table.rowCount())}
    folded = {n.lower().replace("_", "-") for n in names}
    assert {"pyside6-essentials", "sqlcipher3", "sqlcipher", "qt", "reportlab", "pyrage"} <= folded
    licences = [dialog.table.item(row, 2).text() for row in range(dialog.table.rowCount())]
    assert all(licences)


def test_copy_details_puts_versions_not_data_on_the_clipboard(qtbot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.copy_details()
    text = QGuiApplication.clipboard().text()
    assert "SaferYP Desktop" in text and "SQLCipher" in text
