"""The crash campaign (scripts/crash-campaign): a short run that must find nothing wrong, a run
with faults planted in the data directory and the ledger that must report each of them, and
the ledger's judges fed fabricated observations."""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "crash-campaign"
_loader = importlib.machinery.SourceFileLoader("crash_campaign", str(SCRIPT))
cc = importlib.util.module_from_spec(importlib.util.spec_from_loader("crash_campaign", _loader))
_loader.exec_module(cc)


def campaign(tmp_path, *args):
    report = tmp_path / "report.json"
    oosd = os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))
    r = subprocess.run([sys.executable, str(SCRIPT), "--oosd", oosd, "--json-report", str(report), *args],
                       capture_output=True, text=True, timeout=300)
    return r, json.loads(report.read_text())


def test_short_campaign(tmp_path):
    r, rep = campaign(tmp_path, "--rounds", "3", "--workers", "4", "--seed", "14")
    assert r.returncode == 0, r.stdout + r.stderr
    assert rep["kills"] == rep["rounds"] == 3
    assert rep["acknowledged"] > 0 and rep["in_flight_at_kills"] > 0
    assert rep["violations"] == 0 and rep["error"] is None
    assert all(rep[k] == 0 for k in cc.VIOLATION_KINDS)
    assert rep["objects_checked"] > 0 and rep["versions_checked"] > 0 and rep["gc_checks"] == 1
    assert "PASS" in r.stdout


def test_planted_faults_are_reported(tmp_path):
    # After the kill: an inline object's stored byte flipped, a large object's data files
    # deleted, a present object recorded as deleted in the ledger, an unreferenced data file
    # (dated after the restart, so the start-up sweep keeps it).
    r, rep = campaign(tmp_path, "--rounds", "1", "--workers", "2", "--seed", "7",
                      "--inject-fault", "wrong-body,lose-write,resurrect,orphan")
    assert r.returncode == 1, r.stdout + r.stderr
    assert rep["injected"] == {"wrong-body": 1, "lose-write": 1, "resurrect": 1, "orphan": 1}
    assert rep["wrong_bytes"] >= 1
    assert rep["lost_writes"] >= 1
    assert rep["resurrected_deletes"] >= 1
    assert rep["orphans"] == 1
    assert rep["dangling"] >= 1  # the deleted files' id is still referenced
    where = {(d["kind"], d["where"]) for d in rep["details"]}
    assert ("wrong_bytes", "crash-plain/inject/small") in where
    assert ("lost_writes", "crash-plain/inject/large") in where
    assert ("resurrected_deletes", "crash-plain/inject/other") in where
    assert "FAIL" in r.stdout and "INJECTED" in r.stdout  # the offending key's history is printed


# The judges on their own.

def body(seed, size=100):
    return cc.Body.make([(seed, size)], desc="t")


def seen(b, tags=None, acl="private", listed=True):
    return cc.Observed(listed=(b.etag, b.size) if listed else None, present=True, md5=b.md5, size=b.size,
                       etag=b.etag, last=b.data()[-1], tags=tags or (), acl=acl)


GONE = cc.Observed(listed=None, present=False)


def key_with(*states):
    pk = cc.PlainKey("k")
    for s in states:
        pk.sent(1, "PUT", s)
        pk.ack(1, "PUT", s)
    return pk


def kinds(problems):
    return [k for k, _ in problems]


def test_plain_judge():
    a, b = body(1), body(2)
    sa, sb = cc.State(a, (), "private"), cc.State(b, (("t", "1"),), "public-read")
    # The acknowledged state: fine.
    assert cc.judge_plain(key_with(sa), seen(a)) == []
    # Wrong bytes of the right size.
    assert kinds(cc.judge_plain(key_with(sa), seen(body(3)))) == ["wrong_bytes"]
    # An acknowledged write replaced by the previous one, or gone.
    assert kinds(cc.judge_plain(key_with(sa, sb), seen(a))) == ["lost_writes"]
    assert kinds(cc.judge_plain(key_with(sa), GONE)) == ["lost_writes"]
    # An acknowledged delete undone.
    assert kinds(cc.judge_plain(key_with(sa, cc.ABSENT), seen(a))) == ["resurrected_deletes"]
    # A body that was never written in full.
    assert kinds(cc.judge_plain(key_with(sa), seen(body(4, 50)))) == ["partial_visible"]
    # Listed but not readable, readable but not listed.
    assert "partial_visible" in kinds(cc.judge_plain(key_with(sa), seen(a, listed=False)))
    assert kinds(cc.judge_plain(key_with(sa), cc.Observed(listed=(a.etag, a.size), present=False))) == \
        ["partial_visible"]
    # Uncertain: before or after is fine, and the key then holds what was seen...
    pk = key_with(sa)
    pk.uncertain(1, "PUT", sb)
    assert cc.judge_plain(pk, seen(b, tags=(("t", "1"),), acl="public-read")) == [] and pk.cands == [sb]
    pk = key_with(sa)
    pk.uncertain(1, "PUT", sb)
    assert cc.judge_plain(pk, seen(a)) == [] and pk.cands == [sa]
    # ...but never a mix of the two.
    pk = key_with(sa)
    pk.uncertain(1, "PUT", sb)
    assert kinds(cc.judge_plain(pk, seen(b))) == ["partial_visible"]
    # Tags and ACL are part of the state: an acknowledged change of either lost is a lost write.
    assert kinds(cc.judge_plain(key_with(sb, sb._replace(tags=())), seen(b, tags=(("t", "1"),),
                                                                         acl="public-read"))) == ["lost_writes"]
    assert kinds(cc.judge_plain(key_with(sb, sb._replace(acl="private")), seen(b, tags=(("t", "1"),),
                                                                                acl="public-read"))) == ["lost_writes"]
    # A read error of an acknowledged object.
    assert kinds(cc.judge_plain(key_with(sa), cc.Observed(error="InternalError"))) == ["lost_writes"]


def test_versions_judge():
    a, b = body(1), body(2)

    def vkey():
        vk = cc.VersionedKey("v")
        vk.versions = [cc.Version("v2", False, b), cc.Version("v1", False, a)]
        return vk

    listing = [("v2", False, b.etag, b.size), ("v1", False, a.etag, a.size)]
    assert cc.judge_versions(vkey(), listing, {"v1": a.md5, "v2": b.md5}) == []
    # An acknowledged version missing, wrong bytes, the order changed.
    assert kinds(cc.judge_versions(vkey(), listing[:1], {})) == ["lost_writes"]
    assert kinds(cc.judge_versions(vkey(), listing, {"v1": b.md5})) == ["wrong_bytes"]
    assert kinds(cc.judge_versions(vkey(), listing[::-1], {})) == ["lost_writes"]
    # A version whose deletion was acknowledged is back.
    vk = vkey()
    vk.versions.pop()
    vk.deleted.add("v1")
    assert kinds(cc.judge_versions(vk, listing, {})) == ["resurrected_deletes"]
    # A version nobody wrote; the uncertain PUT's version, newest, is adopted.
    c = body(3)
    assert kinds(cc.judge_versions(vkey(), [("v3", False, c.etag, c.size)] + listing, {"v3": c.md5})) == \
        ["partial_visible"]
    vk = vkey()
    vk.pending = [("put", c)]
    assert cc.judge_versions(vk, [("v3", False, c.etag, c.size)] + listing, {"v3": c.md5}) == []
    assert [v.vid for v in vk.versions] == ["v3", "v2", "v1"] and not vk.pending
    # An uncertain version deletion may have happened.
    vk = vkey()
    vk.pending = [("delvid", "v1")]
    assert cc.judge_versions(vk, listing[:1], {}) == [] and "v1" in vk.deleted


def test_store_judge():
    files = {"d1": ["disk1/data/d1/d1.0"], "d2": ["disk2/data/d2/d2.0"]}
    assert cc.judge_store(files, [], {"d1": 1, "d2": 1}, {"d1": 1, "d2": 1}, set(), final=True) == []
    assert kinds(cc.judge_store(files, [], {"d1": 1}, {"d1": 1}, set(), final=True)) == ["orphans"]
    assert kinds(cc.judge_store(files, [], {"d1": 1, "d2": 1, "d3": 1}, {"d1": 1, "d2": 1, "d3": 1}, set(),
                                final=True)) == ["dangling"]
    assert kinds(cc.judge_store(files, [], {"d1": 1, "d2": 2}, {"d1": 1, "d2": 1}, set(), final=True)) == \
        ["bad_refcounts"]
    assert kinds(cc.judge_store(files, ["disk1/tmp/x.0"], {"d1": 1, "d2": 1}, {"d1": 1, "d2": 1}, set(),
                                final=True)) == ["leftover_files"]
    assert cc.referenced_ids('{"Parts":[{"data_id":"p1","size":1},{"data_id":"p2","size":1}]}') == ["p1", "p2"]
    assert cc.referenced_ids('{"Single":"s"}') == ["s"] and cc.referenced_ids(None) == []


def test_canned_acl():
    owner = {"Grantee": {"Type": "CanonicalUser", "ID": "x"}, "Permission": "FULL_CONTROL"}
    everyone = {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}}
    assert cc.canned_acl([owner]) == "private"
    assert cc.canned_acl([owner, dict(everyone, Permission="READ")]) == "public-read"
    assert cc.canned_acl([owner, dict(everyone, Permission="READ"), dict(everyone, Permission="WRITE")]) == \
        "public-read-write"
