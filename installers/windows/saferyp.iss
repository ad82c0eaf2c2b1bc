; Inno Setup script for SaferYP Desktop: a per-user installer that needs no administrator.
;
;   uv run python build_installer.py --target windows     (runs ISCC itself when installed)
; or by hand, after the build:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=dist\saferyp /Odist installers\windows\saferyp.iss
;
; Installs into %LOCALAPPDATA%\Programs\SaferYP Desktop ({userpf}), adds a Start-menu
; entry and an uninstaller, and registers .sypdb, .sypbundle and .sypkey for the
; current user only (HKCU\Software\Classes). Nothing is written for other users.

#ifndef SourceDir
  #define SourceDir "..\..\dist\saferyp"
#endif
#ifndef AppVersion
  ; The version the build wrote into saferyp-desktop.exe (from pyproject.toml).
  #define AppVersion GetStringFileInfo(AddBackslash(SourceDir) + "saferyp-desktop.exe", "ProductVersion")
#endif
#if AppVersion == ""
  #error AppVersion is unknown: pass /DAppVersion=X.Y.Z or build saferyp-desktop.exe first
#endif

#define AppName "SaferYP Desktop"
#define AppExe "saferyp-desktop.exe"

[Setup]
; Never change AppId: it is how an upgrade finds the earlier installation.
AppId={{5B0F3A8E-6C1D-4E27-9A3B-2F1C7D8E4A61}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=SaferYP
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per user: no UAC prompt, works on locked-down school laptops.
PrivilegesRequired=lowest
DefaultDirName={userpf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
ChangesAssociations=yes
CloseApplications=yes
RestartApplications=no
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
OutputBaseFilename=SaferYP-Desktop-{#AppVersion}-setup
SetupIconFile={#SourceDir}\_internal\resources\icons\saferyp.ico

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the program's own files; the user's workspaces live elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; File types, for this user only. Each extension points to a ProgID of ours, which
; opens the file with the desktop program; uninstalling removes the ProgIDs and our
; value on each extension, leaving any other program's association alone.
Root: HKCU; Subkey: "Software\Classes\.sypdb"; ValueType: string; ValueName: ""; ValueData: "SaferYP.Workspace"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.sypdb\OpenWithProgids"; ValueType: string; ValueName: "SaferYP.Workspace"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\SaferYP.Workspace"; ValueType: string; ValueName: ""; ValueData: "SaferYP workspace"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\SaferYP.Workspace\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\SaferYP.Workspace\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

Root: HKCU; Subkey: "Software\Classes\.sypbundle"; ValueType: string; ValueName: ""; ValueData: "SaferYP.Bundle"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.sypbundle\OpenWithProgids"; ValueType: string; ValueName: "SaferYP.Bundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\SaferYP.Bundle"; ValueType: string; ValueName: ""; ValueData: "SaferYP bundle"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\SaferYP.Bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\SaferYP.Bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

Root: HKCU; Subkey: "Software\Classes\.sypkey"; ValueType: string; ValueName: ""; ValueData: "SaferYP.KeyCard"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.sypkey\OpenWithProgids"; ValueType: string; ValueName: "SaferYP.KeyCard"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\SaferYP.KeyCard"; ValueType: string; ValueName: ""; ValueData: "SaferYP key card"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\SaferYP.KeyCard\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\SaferYP.KeyCard\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
