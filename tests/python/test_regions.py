"""OOS regions (SDK guide 4.1.2, 4.2.1, 4.2.2, 4.3.1): a server with two data regions on
separate pools and a metadata-only region. Bucket locations, per-object placement with the
`x-ctyun-data-location` header, fallback when a pool goes away, and account region limits,
through boto3 with the OOS model exactly as the guide calls it."""

import json
import shutil
import subprocess

import botocore
import pytest

from accounts_helpers import account_cmd, admin_call, oosd_bin, s3_for
from conftest import Oosd, error_code

DISKS = 3


@pytest.fixture(scope="module")
def regions_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("regions")
    pools = {name: [root / f"{name}{i}" for i in range(DISKS)] for name in ("cd", "ls")}
    for disks in pools.values():
        for d in disks:
            d.mkdir()
    cfg = root / "regions.toml"
    listed = lambda name: ", ".join(f'"{d}"' for d in pools[name])  # noqa: E731
    cfg.write_text(f"""
[[region]]
name = "ChengDu"
metadata = true
data = true
pool = "cd"
local = true

[[region]]
name = "LaSa"
data = true
pool = "ls"

[[region]]
name = "WuHu"
metadata = true

[[pool]]
name = "cd"
disks = [{listed("cd")}]

[[pool]]
name = "ls"
disks = [{listed("ls")}]
""")
    server = Oosd(root / "meta", config=cfg).start()
    server.pools = pools
    yield server
    server.stop()


def shards_in(disks):
    return sum(len(list((d / "data").glob("[0-9a-f][0-9a-f]/*"))) for d in disks)


def put_and_count(server, s3, bucket, key, size=100_000, **kw):
    """PUTs an object and answers which pools gained shard files."""
    before = {p: shards_in(d) for p, d in server.pools.items()}
    s3.put_object(Bucket=bucket, Key=key, Body=b"r" * size, **kw)
    return {p for p, d in server.pools.items() if shards_in(d) > before[p]}


def test_get_regions_lists_the_configured_regions(regions_server):
    r = regions_server.client().get_regions()
    assert r["MetadataRegions"] == ["ChengDu", "WuHu"]
    assert r["DataRegions"] == ["ChengDu", "LaSa"]


def test_bucket_location_as_created_and_objects_follow_it(regions_server):
    s3 = regions_server.client()
    s3.create_bucket(Bucket="in-lasa", CreateBucketConfiguration={
        "MetadataLocationConstraint": {"Location": "WuHu"},
        "DataLocationConstraint": {"Type": "Specified", "LocationList": ["LaSa"], "ScheduleStrategy": "NotAllowed"},
    })
    loc = s3.get_bucket_location(Bucket="in-lasa")
    assert loc["MetadataLocationConstraint"] == {"Location": "WuHu"}
    assert loc["DataLocationConstraint"] == {"Type": "Specified", "LocationList": ["LaSa"], "ScheduleStrategy": "NotAllowed"}
    assert put_and_count(regions_server, s3, "in-lasa", "a") == {"ls"}
    head = s3.head_object(Bucket="in-lasa", Key="a")
    # The root account has two data and two metadata regions: both are answered.
    assert head["DataLocation"] == "LaSa" and head["MetadataLocation"] == "WuHu"
    assert s3.get_object(Bucket="in-lasa", Key="a")["Body"].read() == b"r" * 100_000

    # A bucket created without a body: metadata in the local region, data Local, Allowed.
    s3.create_bucket(Bucket="plain-regions")
    loc = s3.get_bucket_location(Bucket="plain-regions")
    assert loc["MetadataLocationConstraint"] == {"Location": "ChengDu"}
    assert loc["DataLocationConstraint"] == {"Type": "Local", "ScheduleStrategy": "Allowed"}
    assert put_and_count(regions_server, s3, "plain-regions", "b") == {"cd"}
    assert s3.head_object(Bucket="plain-regions", Key="b")["DataLocation"] == "ChengDu"


def test_object_header_overrides_the_bucket(regions_server):
    s3 = regions_server.client()
    s3.create_bucket(Bucket="override")
    # 4.3.1 as the guide writes it, with the other region.
    assert put_and_count(regions_server, s3, "override", "far",
                         DataLocation="type=Specified,location=LaSa,scheduleStrategy=Allowed") == {"ls"}
    assert put_and_count(regions_server, s3, "override", "near",
                         DataLocation="type=Local,scheduleStrategy=NotAllowed") == {"cd"}
    # Inline-sized objects record their region too.
    s3.put_object(Bucket="override", Key="tiny", Body=b"t",
                  DataLocation="type=Specified,location=LaSa,ChengDu,scheduleStrategy=NotAllowed")
    assert s3.head_object(Bucket="override", Key="tiny")["DataLocation"] == "LaSa"
    # A copy re-places the data where its own header says.
    before = shards_in(regions_server.pools["cd"])
    s3.copy_object(Bucket="override", Key="copied", CopySource={"Bucket": "override", "Key": "far"},
                   DataLocation="type=Local,scheduleStrategy=NotAllowed")
    assert shards_in(regions_server.pools["cd"]) > before
    assert s3.head_object(Bucket="override", Key="copied")["DataLocation"] == "ChengDu"
    assert s3.get_object(Bucket="override", Key="copied")["Body"].read() == b"r" * 100_000
    for bad in ("type=Specified,location=Nowhere,scheduleStrategy=Allowed",
                "type=Specified,location=WuHu,scheduleStrategy=Allowed"):  # metadata-only
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.put_object(Bucket="override", Key="bad", Body=b"x", DataLocation=bad)
        assert error_code(e) == "InvalidLocationConstraint"


def test_multipart_parts_land_in_the_region_chosen_at_initiation(regions_server):
    s3 = regions_server.client()
    s3.create_bucket(Bucket="mp-regions")
    before = {p: shards_in(d) for p, d in regions_server.pools.items()}
    up = s3.create_multipart_upload(Bucket="mp-regions", Key="big",
                                    DataLocation="type=Specified,location=LaSa,scheduleStrategy=NotAllowed")
    part = b"p" * (5 * 1024 * 1024)
    etags = [s3.upload_part(Bucket="mp-regions", Key="big", UploadId=up["UploadId"], PartNumber=n, Body=part)["ETag"]
             for n in (1, 2)]
    s3.complete_multipart_upload(Bucket="mp-regions", Key="big", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]})
    assert shards_in(regions_server.pools["ls"]) > before["ls"]
    assert shards_in(regions_server.pools["cd"]) == before["cd"]
    assert s3.head_object(Bucket="mp-regions", Key="big")["DataLocation"] == "LaSa"
    assert s3.get_object(Bucket="mp-regions", Key="big")["Body"].read() == part * 2


@pytest.mark.parametrize("config", [
    {"DataLocationConstraint": {"Type": "Specified", "LocationList": ["Nowhere"]}},
    {"DataLocationConstraint": {"Type": "Specified", "LocationList": ["LaSa", "LaSa"]}},
    {"DataLocationConstraint": {"Type": "Specified", "LocationList": []}},
    {"DataLocationConstraint": {"Type": "Specified", "LocationList": ["WuHu"]}},
    {"DataLocationConstraint": {"Type": "Somewhere"}},
    {"DataLocationConstraint": {"Type": "Local", "ScheduleStrategy": "Sometimes"}},
    {"MetadataLocationConstraint": {"Location": "LaSa"}},  # a data-only region
    {"MetadataLocationConstraint": {"Location": "Nowhere"}},
])
def test_bad_location_constraints(regions_server, config):
    s3 = regions_server.client()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="bad-location", CreateBucketConfiguration=config)
    assert error_code(e) == "InvalidLocationConstraint"
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_bucket(Bucket="bad-location")


def test_put_bucket_changes_data_location_but_not_metadata(regions_server):
    s3 = regions_server.client()
    s3.create_bucket(Bucket="movable", CreateBucketConfiguration={"MetadataLocationConstraint": {"Location": "ChengDu"}})
    s3.create_bucket(Bucket="movable", CreateBucketConfiguration={
        "DataLocationConstraint": {"Type": "Specified", "LocationList": ["LaSa", "ChengDu"], "ScheduleStrategy": "Allowed"}})
    loc = s3.get_bucket_location(Bucket="movable")
    assert loc["DataLocationConstraint"]["LocationList"] == ["LaSa", "ChengDu"]
    assert loc["MetadataLocationConstraint"] == {"Location": "ChengDu"}
    assert put_and_count(regions_server, s3, "movable", "o") == {"ls"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="movable", CreateBucketConfiguration={"MetadataLocationConstraint": {"Location": "WuHu"}})
    assert error_code(e) == "CanNotModifyMetadataLocation"
    assert s3.get_bucket_location(Bucket="movable")["MetadataLocationConstraint"] == {"Location": "ChengDu"}


def test_account_region_limits(regions_server):
    r = subprocess.run([oosd_bin(), "account", "create", "chengdu-only", "--regions", "ChengDu", "--json",
                        "--data-dir", str(regions_server.data_dir), "--config", str(regions_server.config)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    acct = json.loads(r.stdout)
    s3 = s3_for(regions_server, acct["access_key"], acct["secret_key"])
    regions = s3.get_regions()
    assert regions["MetadataRegions"] == ["ChengDu"] and regions["DataRegions"] == ["ChengDu"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="cd-only", CreateBucketConfiguration={
            "DataLocationConstraint": {"Type": "Specified", "LocationList": ["LaSa"]}})
    assert error_code(e) == "InvalidLocationConstraint"
    s3.create_bucket(Bucket="cd-only")
    # Allowed scheduling never leaves the account's regions, and one region means no
    # location headers (OOS answers them only when the account has a choice).
    assert put_and_count(regions_server, s3, "cd-only", "x") == {"cd"}
    head = s3.head_object(Bucket="cd-only", Key="x")
    assert "DataLocation" not in head and "MetadataLocation" not in head
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket="cd-only", Key="y", Body=b"y",
                      DataLocation="type=Specified,location=LaSa,scheduleStrategy=Allowed")
    assert error_code(e) == "InvalidLocationConstraint"

    # Limits are checked against the configuration, and can be lifted.
    common = ["--data-dir", str(regions_server.data_dir), "--config", str(regions_server.config)]
    for bad in ("Nowhere", "LaSa"):  # unknown; no metadata region
        r = account_cmd(regions_server, "regions", "chengdu-only", bad, "--config", str(regions_server.config))
        assert r.returncode != 0 and r.stderr
    r = subprocess.run([oosd_bin(), "account", "regions", "chengdu-only", "all", "--json", *common],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["regions"] is None
    assert s3.get_regions()["DataRegions"] == ["ChengDu", "LaSa"]
    # The admin API does the same.
    status, info = admin_call(regions_server.endpoint, "PUT", "/_admin/accounts/chengdu-only/regions",
                              json.dumps({"regions": ["WuHu", "LaSa"]}).encode())
    assert status == 200 and info["regions"] == ["WuHu", "LaSa"]
    regions = s3.get_regions()
    assert regions["MetadataRegions"] == ["WuHu"] and regions["DataRegions"] == ["LaSa"]


def test_fallback_when_a_pool_goes_away(regions_server):
    """Runs last in this module: it takes the LaSa pool offline for good."""
    s3 = regions_server.client()
    s3.create_bucket(Bucket="fallback")
    allowed = "type=Specified,location=LaSa,scheduleStrategy=Allowed"
    not_allowed = "type=Specified,location=LaSa,scheduleStrategy=NotAllowed"
    assert put_and_count(regions_server, s3, "fallback", "before", DataLocation=allowed) == {"ls"}
    # Unmount every LaSa disk: the mount points stay, empty.
    for d in regions_server.pools["ls"]:
        shutil.rmtree(d)
        d.mkdir()
    assert put_and_count(regions_server, s3, "fallback", "after", DataLocation=allowed) == {"cd"}
    assert s3.head_object(Bucket="fallback", Key="after")["DataLocation"] == "ChengDu"
    assert s3.get_object(Bucket="fallback", Key="after")["Body"].read() == b"r" * 100_000
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket="fallback", Key="refused", Body=b"r" * 100_000, DataLocation=not_allowed)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket="fallback", Key="refused")
    # A multipart upload initiated while LaSa is away is placed in ChengDu for good.
    up = s3.create_multipart_upload(Bucket="fallback", Key="mp", DataLocation=allowed)
    s3.upload_part(Bucket="fallback", Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"m" * 1000)
    parts = s3.list_parts(Bucket="fallback", Key="mp", UploadId=up["UploadId"])["Parts"]
    s3.complete_multipart_upload(Bucket="fallback", Key="mp", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": parts[0]["ETag"]}]})
    assert s3.head_object(Bucket="fallback", Key="mp")["DataLocation"] == "ChengDu"
