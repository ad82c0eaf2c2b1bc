#!/bin/sh
# Remove SaferYP Desktop installed by install.sh for this user.
# Workspaces, bundles and key cards are left where you saved them, and so are the
# preferences in ~/.config/SaferYP; delete those yourself if you no longer need them.
set -eu

data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
app=$data/saferyp-desktop

for link in "$bin/saferyp-desktop" "$bin/saferyp"; do
    # Only our own links: a different program of the same name is left alone.
    if [ -L "$link" ] && case "$(readlink "$link")" in "$app"/*) true ;; *) false ;; esac; then
        rm -f "$link"
    fi
done
rm -f "$data/applications/saferyp-desktop.desktop"
rm -f "$data/mime/packages/saferyp-mime.xml"
find "$data/icons/hicolor" -name 'saferyp-desktop.*' -type f -exec rm -f {} + 2>/dev/null || true
rm -rf "$app"

if command -v update-mime-database >/dev/null 2>&1 && [ -d "$data/mime" ]; then
    update-mime-database "$data/mime" >/dev/null 2>&1 || true
fi
if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$data/applications" ]; then
    update-desktop-database "$data/applications" >/dev/null 2>&1 || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$data/icons/hicolor" ]; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" >/dev/null 2>&1 || true
fi
echo "SaferYP Desktop is removed. Your workspaces and preferences are kept."
