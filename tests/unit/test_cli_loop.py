"""The whole meeting loop as people run it, through ``saferyp`` with real files.

Two demo schools in the same fictional town trust the chair's key card and send their
bundles; the chair opens both, looks at where they meet, confirms one match and dismisses
another, records the meeting's agreed actions, prints the briefing pack (read back with
qpdf and poppler), and sends each school its outcomes, which the school opens. Every
refusal is one sentence with its own exit code and changes no file.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from pdf_reading import needs_pdf_tools, page_count, pages_missing_marking, pages_of

from saferyp_desktop.cli import main
from saferyp_desktop.crypto.bundle import SenderInfo, write_bundle
from saferyp_desktop.crypto.keys import WorkspaceKeys
from saferyp_desktop.domain.demo import make_demo
from saferyp_desktop.domain.levels import initials_of
from saferyp_desktop.domain.records import Adult, Kind, YoungPerson
from saferyp_desktop.services import chair as chair_service
from saferyp_desktop.services.workspace import Workspace

PASS = "correct horse battery staple"
MARKING = "OFFICIAL-SENSITIVE"

pytestmark = needs_pdf_tools


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERYP_PASSPHRASE", PASS)
    monkeypatch.delenv("SAFERYP_BUNDLE_PASSPHRASE", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return out


def refused(capsys: pytest.CaptureFixture[str], code: int, *argv: object) -> str:
    """Run a command that must fail with ``code`` and one sentence on stderr."""
    got, out, err = run(capsys, *argv)
    assert (got, out) == (code, ""), err
    assert err.endswith("\n") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def snapshot(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def value_after(text: str, label: str) -> str:
    return text.split(label, 1)[1].split("\n", 1)[0].strip()


def people_words() -> tuple[list[str], set[str]]:
    """The two demo schools' young people's and adults' names, aliases and handles, and
    everyone's initials (an alias like "DA" that is also someone's initials is no leak)."""
    phrases, initials = [], set()
    for seed in (1, 2):
        table = make_demo(seed).table
        for record in [*table.of_kind(Kind.YOUNG_PERSON), *table.of_kind(Kind.ADULT)]:
            initials.add(initials_of(record))
            if isinstance(record, YoungPerson):
                phrases.append(record.name)
            else:
                assert isinstance(record, Adult)
                phrases += [record.name, *record.aliases, *record.handles]
    return phrases, initials


def appears(phrase: str, text: str) -> bool:
    pattern = r"(?<![\w@])" + r"\s+".join(re.escape(p) for p in phrase.split()) + r"(?![\w@])"
    return re.search(pattern, text) is not None


# -- the loop ---------------------------------------------------------------------------------------
def test_the_whole_meeting_loop_through_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chair_dir, schools_dir, mail = (tmp_path / n for n in ("chair", "schools", "mail"))
    for folder in (chair_dir, schools_dir, mail):
        folder.mkdir()
    chair = chair_dir / "Chair.sypdb"
    schools = [schools_dir / "Fernbridge.sypdb", schools_dir / "Hollins.sypdb"]

    # The chair's workspace and key card; two demo schools trust it and send their bundles.
    chair_fp = value_after(
        ok(
            capsys,
            "new",
            chair,
            "--role",
            "chair",
            "--name",
            "Sam Chair",
            "--organisation",
            "Council",
        ),
        "Fingerprint: ",
    )
    ok(capsys, "key", chair, "--out", mail / "chair.sypkey")
    urns, fingerprints = [], []
    for seed, school in enumerate(schools, start=1):
        ok(capsys, "demo", school, "--seed", seed, "--size", "typical")
        assert chair_fp in ok(capsys, "trust", school, mail / "chair.sypkey")
        out = ok(capsys, "bundle", school, "--out", mail / f"sub{seed}.sypbundle")
        fingerprints.append(value_after(out, "confirms it by phone): "))
        urns.append(value_after(ok(capsys, "key", school), "urn: "))
    demos = [make_demo(1), make_demo(2)]
    day = demos[0].meeting_date
    assert demos[1].meeting_date == day and urns == [d.urn for d in demos]

    for seed, fingerprint in enumerate(fingerprints, start=1):
        out = ok(
            capsys, "open", chair, mail / f"sub{seed}.sypbundle", "--accept-new-key", fingerprint
        )
        assert f"Opened submission {seed}" in out and "now trusted" in out

    # Where the schools meet: the shared adult and the shared place, each with reasons.
    adult_ids = {(d.urn, d.shared_ids["dazza"]) for d in demos}
    place_ids = {(d.urn, d.shared_ids["golden_griddle"]) for d in demos}
    with Workspace.open(chair, PASS) as ws:
        views = chair_service.candidates(ws)
        (adult,) = [v for v in views if {(m.urn, m.record_id) for m in v.members} == adult_ids]
        (place,) = [v for v in views if {(m.urn, m.record_id) for m in v.members} == place_ids]
        assert adult.kind == Kind.ADULT and place.kind == Kind.LOCATION
        assert adult.reasons and place.reasons
        assert {m.school for m in adult.members} == {d.name for d in demos}
        chair_service.decide(ws, adult.key, "confirmed", "Same adult, same car.")
        chair_service.decide(ws, place.key, "dismissed", "Two different takeaways.")
    with Workspace.open(chair, PASS) as ws:  # the decisions survive closing the workspace
        decided = {v.key: v.decision for v in chair_service.candidates(ws)}
        assert (decided[adult.key], decided[place.key]) == ("confirmed", "dismissed")

        # The meeting record and the actions agreed for each school, and across schools.
        meeting = chair_service.meeting(ws, day)
        assert meeting.venue and len(meeting.bundles) == 2
        agreed = {}
        for demo in demos:
            person = demo.table.of_kind(Kind.YOUNG_PERSON)[0]
            agreed[demo.urn] = chair_service.agree_action(
                ws,
                day,
                catalogue_key="outreach",
                school_urn=demo.urn,
                linked_ids=[person.id, demo.shared_ids["bus_station"]],
                owner_agency="motiv8",
                due=day + timedelta(weeks=3),
                detail=f"Detached youth work on the route {person.name} takes home.",
            )
        across = chair_service.agree_action(
            ws,
            day,
            catalogue_key="intel_submitted",
            cluster_key=adult.key,
            owner_agency="analyst",
            due=day + timedelta(weeks=1),
        )

    # The briefing pack, read back.
    pack = mail / f"pack-{day.isoformat()}.pdf"
    out = ok(capsys, "pack", chair, "--meeting", day, "--out", pack)
    assert f"Wrote {pack.name}" in out and "(initials;" in out
    assert "1 match across schools confirmed; 3 agreed actions" in out
    check = subprocess.run(["qpdf", "--check", str(pack)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    pages = pages_of(pack)
    total = page_count(pack)
    assert len(pages) == total > 10
    assert pages_missing_marking(pack, MARKING) == []
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
    text = " ".join("\n".join(pages).split())
    for demo in demos:
        assert demo.name in text
    phrases, initials = people_words()
    leaks = [p for p in phrases if len(p) >= 3 and p not in initials and appears(p, text)]
    assert leaks == []
    plan = " ".join(pages[-1].split())
    assert "Action plan" in plan and all(f"New {n}" in plan for n in range(1, 11))
    assert agreed[demos[0].urn].code in plan and across.code in plan
    assert "Sign-in sheet" in text and "Matches confirmed by the chair (1)" in text
    assert "Same adult, same car." in text and "Two different takeaways." not in text

    # Outcomes for each school; each school opens its own.
    for n, urn in enumerate(urns, start=1):
        out = ok(
            capsys,
            "outcomes",
            chair,
            "--meeting",
            day,
            "--school",
            urn,
            "--out",
            mail / f"outcomes-{urn}.sypbundle",
        )
        assert f"outcomes {n} for " in out and f"(URN {urn})" in out and "2 agreed actions" in out
    for school, demo in zip(schools, demos, strict=True):
        out = ok(capsys, "open", school, mail / f"outcomes-{demo.urn}.sypbundle")
        assert "Added 2 agreed actions" in out and chair_fp in out and "marked held" in out
        with Workspace.open(school, PASS) as ws:
            table = ws.table()
            imported = [a for a in table.of_kind(Kind.ACTION) if a.origin == "meeting"]
            assert len(imported) == 2
            outreach = next(a for a in imported if a.catalogue_key == "outreach")
            assert (outreach.owner_agency, outreach.status) == ("motiv8", "agreed")
            assert outreach.due == day + timedelta(weeks=3)
            person = demo.table.of_kind(Kind.YOUNG_PERSON)[0]
            assert set(outreach.linked_ids) == {person.id, demo.shared_ids["bus_station"]}
            assert person.name not in outreach.detail  # the outcomes carry initials
            intel = next(a for a in imported if a.catalogue_key == "intel_submitted")
            assert intel.linked_ids == [demo.shared_ids["dazza"]]  # only the school's own
            assert table.get(outreach.meeting_id).status == "held"

    # The same outcomes again: refused, nothing changes.
    first, second = schools
    everything = (chair_dir, schools_dir, mail)
    before = snapshot(*everything)
    err = refused(capsys, 74, "open", first, mail / f"outcomes-{urns[0]}.sypbundle")
    assert "already been opened" in err
    # The other school's outcomes: sealed to that school's key, so not this one's.
    err = refused(capsys, 53, "open", first, mail / f"outcomes-{urns[1]}.sypbundle")
    assert "for another school" in err
    assert snapshot(*everything) == before

    # Outcomes the chair addressed to this school's key but wrote for another school; and
    # outcomes signed by a chair this school never set.
    with Workspace.open(chair, PASS) as ws:
        recipient = ws.repo.trusted_sender(urns[0]).age_recipient
        keys = ws.keys()
        for_other = chair_service.outcomes_document(ws, day, urns[1])
        for_first = chair_service.outcomes_document(ws, day, urns[0])
    for name, signer, document in (
        ("misaddressed.sypbundle", keys, for_other),
        ("stranger.sypbundle", WorkspaceKeys.generate(), for_first),
    ):
        (mail / name).write_bytes(
            write_bundle(
                kind="outcomes",
                sender=SenderInfo("Sam Chair", "", "chair", signer),
                recipients=[recipient],
                passphrase=None,
                mapping=document,
                briefing_pdf=None,
                sequence=50,
            )
        )
    before = snapshot(*everything)
    err = refused(capsys, 83, "open", first, mail / "misaddressed.sypbundle")
    assert err == "These outcomes are for another school; they were not opened.\n"
    err = refused(capsys, 82, "open", first, mail / "stranger.sypbundle")
    assert "other than that of the chair this school set" in err and chair_fp in err
    # A school opens outcomes, never a submission (its own is sealed to it too).
    refused(capsys, 68, "open", second, mail / "sub2.sypbundle")
    # A pack for a meeting no school sent a submission for; outcomes for a school that sent none.
    err = refused(capsys, 80, "pack", chair, "--meeting", "2030-01-01", "--out", mail / "x.pdf")
    assert "2030-01-01" in err
    refused(
        capsys, 84, "outcomes", chair, "--meeting", day, "--school", "123456", "--out", mail / "x"
    )
    refused(capsys, 2, "pack", chair, "--meeting", "next Wednesday", "--out", mail / "x.pdf")
    refused(capsys, 2, "pack", first, "--meeting", day, "--out", mail / "x.pdf")
    refused(capsys, 20, "pack", chair, "--meeting", day, "--out", pack)  # exists: --force
    assert snapshot(*everything) == before
    assert not (mail / "x.pdf").exists() and not (mail / "x").exists()


def test_help_lists_the_new_commands_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("pack", "outcomes"):
        assert f"    {name}" in out
    for number in range(80, 85):
        assert f"  {number}  " in out
