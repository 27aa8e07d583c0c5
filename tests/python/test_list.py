"""Listing: v1 and v2, prefixes, delimiters, markers, pagination, URL encoding."""

import pytest
import botocore

from conftest import error_code

KEYS = ["a/1", "a/2", "a/b/3", "b/1", "c", "d+e", "d e", "z/deep/er/x"]


@pytest.fixture
def filled(s3, bucket):
    for k in KEYS:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    return bucket


def test_list_v1_everything_sorted(s3, filled):
    r = s3.list_objects(Bucket=filled)
    assert [o["Key"] for o in r["Contents"]] == sorted(KEYS, key=str.encode)
    assert r["IsTruncated"] is False
    assert all(o["StorageClass"] == "STANDARD" for o in r["Contents"])
    assert all(o["Owner"]["ID"] for o in r["Contents"])


def test_list_v1_delimiter_and_prefix(s3, filled):
    r = s3.list_objects(Bucket=filled, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/", "z/"]
    assert [o["Key"] for o in r["Contents"]] == ["c", "d e", "d+e"]
    r = s3.list_objects(Bucket=filled, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/b/"]


def test_list_v1_pagination_with_marker(s3, filled):
    seen = []
    marker = ""
    while True:
        r = s3.list_objects(Bucket=filled, MaxKeys=3, Marker=marker)
        seen += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        marker = r.get("NextMarker", seen[-1])
    assert seen == sorted(KEYS, key=str.encode)


def test_list_v2_paginator_yields_every_key(s3, filled):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=filled, PaginationConfig={"PageSize": 2}):
        assert page["KeyCount"] <= 2
        keys += [o["Key"] for o in page.get("Contents", [])]
    assert keys == sorted(KEYS, key=str.encode)


def test_list_v2_start_after_delimiter_pages(s3, filled):
    r = s3.list_objects_v2(Bucket=filled, StartAfter="b/1")
    assert [o["Key"] for o in r["Contents"]] == ["c", "d e", "d+e", "z/deep/er/x"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": 1}))
    prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert prefixes == ["a/", "b/", "z/"]
    assert keys == ["c", "d e", "d+e"]


def test_list_v2_fetch_owner(s3, filled):
    r = s3.list_objects_v2(Bucket=filled, MaxKeys=1)
    assert "Owner" not in r["Contents"][0]
    r = s3.list_objects_v2(Bucket=filled, MaxKeys=1, FetchOwner=True)
    assert r["Contents"][0]["Owner"]["ID"]


def test_url_encoding_type_round_trips_odd_keys(s3, filled):
    # boto3 asks for encoding-type=url and decodes; keys with '+' and ' ' must survive.
    r = s3.list_objects_v2(Bucket=filled, Prefix="d")
    assert [o["Key"] for o in r["Contents"]] == ["d e", "d+e"]


def test_max_keys_bounds(s3, filled):
    r = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert r["KeyCount"] == 0
    r = s3.list_objects_v2(Bucket=filled, MaxKeys=5000)
    assert r["MaxKeys"] == 1000
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_objects(Bucket=filled, MaxKeys=-1)
    assert error_code(e) == "InvalidArgument"
