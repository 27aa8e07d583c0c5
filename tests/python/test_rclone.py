"""rclone (Debian's package) against a versioned bucket with Object Lock: uploads carry the
Content-MD5 a default retention wants, a delete only adds a marker, deleting a locked old
version is refused, and copying an old version over the key restores it."""

import os
import shutil
import subprocess
import uuid

import pytest

from conftest import ACCESS_KEY, SECRET_KEY


@pytest.fixture(scope="module")
def rclone(oosd):
    if shutil.which("rclone") is None:
        if os.environ.get("CI"):
            pytest.fail("rclone is not installed (.ci/run installs Debian's rclone)")
        pytest.skip("rclone is not installed")
    env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    env.update({
        "RCLONE_CONFIG": "/dev/null",
        "RCLONE_CONFIG_OOS_TYPE": "s3",
        "RCLONE_CONFIG_OOS_PROVIDER": "Other",
        "RCLONE_CONFIG_OOS_ENDPOINT": oosd.endpoint,
        "RCLONE_CONFIG_OOS_ACCESS_KEY_ID": ACCESS_KEY,
        "RCLONE_CONFIG_OOS_SECRET_ACCESS_KEY": SECRET_KEY,
        "RCLONE_CONFIG_OOS_REGION": "cn",
        "RCLONE_CONFIG_OOS_FORCE_PATH_STYLE": "true",
    })

    def run(*args, ok=True):
        r = subprocess.run(["rclone", *args], capture_output=True, text=True, env=env, timeout=120)
        if ok:
            assert r.returncode == 0, r.stderr
        return r
    return run


def test_rclone_versions_lock_and_restore(rclone, s3, tmp_path):
    b = "rc-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    f = tmp_path / "report.txt"
    ids = []
    for text in ("first\n", "second!\n"):
        f.write_text(text)
        rclone("copyto", str(f), f"oos:{b}/report.txt")
        ids.append(s3.head_object(Bucket=b, Key="report.txt")["VersionId"])
    assert s3.head_object(Bucket=b, Key="report.txt", VersionId=ids[0])["ObjectLockMode"] == "GOVERNANCE"
    # rclone's delete on a versioned bucket leaves a marker; both versions stay.
    rclone("deletefile", f"oos:{b}/report.txt")
    page = s3.list_object_versions(Bucket=b)
    assert [v["VersionId"] for v in page["Versions"]] == ids[::-1]
    assert page["DeleteMarkers"][0]["IsLatest"]
    # --s3-versions shows old versions as name-vTIMESTAMP; deleting one is refused.
    listed = sorted(rclone("lsf", "--s3-versions", f"oos:{b}").stdout.split())
    assert len(listed) == 2 and all(n.startswith("report-v") for n in listed), listed
    oldest = listed[0]
    r = rclone("deletefile", "--s3-versions", f"oos:{b}/{oldest}", ok=False)
    assert r.returncode != 0 and "AccessDenied" in r.stderr, r.stderr
    assert len(s3.list_object_versions(Bucket=b)["Versions"]) == 2
    # Restore: copy the old version over the key; it is current again.
    rclone("copyto", "--s3-versions", f"oos:{b}/{oldest}", f"oos:{b}/report.txt")
    assert rclone("cat", f"oos:{b}/report.txt").stdout == "first\n"
    assert s3.get_object(Bucket=b, Key="report.txt")["Body"].read() == b"first\n"
