#!/bin/sh
# Install SaferYP Desktop for this user only, under ~/.local: no root, no network.
#
#     ./install.sh            install (or replace an earlier version)
#     ~/.local/share/saferyp-desktop/uninstall.sh    remove it again
#
# Puts the program in ~/.local/share/saferyp-desktop, the commands `saferyp-desktop`
# and `saferyp` in ~/.local/bin, a menu entry, the icons, and the file types .sypdb,
# .sypbundle and .sypkey (opened by SaferYP Desktop).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
app=$data/saferyp-desktop

if [ ! -x "$here/saferyp/saferyp-desktop" ]; then
    echo "install.sh: run it from the unpacked SaferYP Desktop folder (saferyp/ is missing)." >&2
    exit 1
fi

# Copy beside the old version first, then swap, so a failed copy leaves it working.
mkdir -p "$data"
rm -rf "$app.new" "$app.old"
cp -R -P "$here/saferyp" "$app.new"
cp "$here/uninstall.sh" "$app.new/uninstall.sh"
chmod 755 "$app.new/uninstall.sh"
if [ -d "$app" ]; then mv "$app" "$app.old"; fi
mv "$app.new" "$app"
rm -rf "$app.old"

mkdir -p "$bin"
ln -sf "$app/saferyp-desktop" "$bin/saferyp-desktop"
ln -sf "$app/saferyp" "$bin/saferyp"

# The menu entry names the program by its full path: ~/.local/bin is not always on
# a desktop session's PATH.
escaped=$(printf '%s' "$app" | sed 's/[\\|&]/\\&/g')
mkdir -p "$data/applications"
sed -e "s|^Exec=saferyp-desktop|Exec=\"$escaped/saferyp-desktop\"|" \
    -e "s|^TryExec=saferyp-desktop|TryExec=$escaped/saferyp-desktop|" \
    "$here/share/applications/saferyp-desktop.desktop" > "$data/applications/saferyp-desktop.desktop"

mkdir -p "$data/mime/packages"
cp "$here/share/mime/packages/saferyp-mime.xml" "$data/mime/packages/saferyp-mime.xml"

mkdir -p "$data/icons/hicolor"
cp -R "$here/share/icons/hicolor/." "$data/icons/hicolor/"

# Refresh the desktop's caches where the tools exist; without them the next log-in does.
if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$data/mime" >/dev/null 2>&1 || true
fi
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database "$data/applications" >/dev/null 2>&1 || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" >/dev/null 2>&1 || true
fi

echo "SaferYP Desktop is installed in $app."
echo "Start it from the applications menu, or run: saferyp-desktop"
case ":${PATH:-}:" in
    *":$bin:"*) ;;
    *) echo "(Add $bin to your PATH to run saferyp-desktop and saferyp by name.)" ;;
esac
