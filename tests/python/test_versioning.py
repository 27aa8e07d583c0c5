"""Versioning over the wire with boto3: states, versions, delete markers, ListObjectVersions
paging, the null version, copies, DeleteObjects, tagging and ACLs of one version."""

import uuid

import botocore.exceptions
import pytest

from conftest import error_code


def purge(s3, name):
    """Removes every version and marker, then the bucket."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        items = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                 for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if items:
            s3.delete_objects(Bucket=name, Delete={"Objects": items})
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def vbucket(s3):
    name = "v-" + uuid.uuid4().hex[:16]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    purge(s3, name)


def body(s3, bucket, key, **kw):
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def test_versioning_states(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    # An unversioned bucket's writes carry no version id.
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    # No status: nothing changes. A bucket never goes back to unversioned.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    for bad in ({"Status": "Disabled"}, {"Status": "enabled"}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=bad)
        assert error_code(e) == "MalformedXML"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_versioning(Bucket=bucket,
                                 VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
    assert error_code(e) == "AccessDenied"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    # Suspended writes are the null version.
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"y")["VersionId"] == "null"
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": "null"}]})


def test_every_write_is_a_version(s3, vbucket):
    ids = [s3.put_object(Bucket=vbucket, Key="k", Body=b"v%d" % i)["VersionId"] for i in range(3)]
    assert len(set(ids)) == 3 and "null" not in ids
    for i, v in enumerate(ids):
        got = s3.get_object(Bucket=vbucket, Key="k", VersionId=v)
        assert got["Body"].read() == b"v%d" % i
        assert got["VersionId"] == v
        assert s3.head_object(Bucket=vbucket, Key="k", VersionId=v)["ContentLength"] == 2
    current = s3.get_object(Bucket=vbucket, Key="k")
    assert current["Body"].read() == b"v2" and current["VersionId"] == ids[2]
    # Only the newest is current in a plain listing; all three are listed as versions.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=vbucket)["Contents"]] == ["k"]
    versions = s3.list_object_versions(Bucket=vbucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [
        (ids[2], True), (ids[1], False), (ids[0], False)]
    # CompleteMultipartUpload makes a version too.
    up = s3.create_multipart_upload(Bucket=vbucket, Key="k")
    part = s3.upload_part(Bucket=vbucket, Key="k", UploadId=up["UploadId"], PartNumber=1, Body=b"mp")
    done = s3.complete_multipart_upload(
        Bucket=vbucket, Key="k", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["VersionId"] not in ids
    assert body(s3, vbucket, "k") == b"mp"
    assert body(s3, vbucket, "k", VersionId=ids[0]) == b"v0"


def test_version_ids_are_checked(s3, vbucket):
    s3.put_object(Bucket=vbucket, Key="k", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId="not-a-version")
    assert error_code(e) == "InvalidArgument"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId="A" * 32)
    assert error_code(e) == "NoSuchVersion"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete_markers(s3, vbucket):
    v1 = s3.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    d = s3.delete_object(Bucket=vbucket, Key="k")
    assert d["DeleteMarker"] is True
    marker = d["VersionId"]
    assert marker != v1
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k")
    assert error_code(e) == "NoSuchKey"
    headers = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true" and headers["x-amz-version-id"] == marker
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=vbucket, Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # A marker addressed by id: 405, and it says what it is.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert error_code(e) == "MethodNotAllowed"
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    # The old version is still there, and the key is hidden from plain listings.
    assert body(s3, vbucket, "k", VersionId=v1) == b"one"
    assert "Contents" not in s3.list_objects_v2(Bucket=vbucket)
    listed = s3.list_object_versions(Bucket=vbucket)
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v1, False)]
    # A bucket holding only a marker and an old version is not empty.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket=vbucket)
    assert error_code(e) == "BucketNotEmpty"
    # Removing the marker by id brings the object back.
    d = s3.delete_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert d["DeleteMarker"] is True and d["VersionId"] == marker
    assert body(s3, vbucket, "k") == b"one"


def test_delete_one_version(s3, vbucket):
    ids = [s3.put_object(Bucket=vbucket, Key="k", Body=b"v%d" % i)["VersionId"] for i in range(3)]
    d = s3.delete_object(Bucket=vbucket, Key="k", VersionId=ids[1])
    assert d["VersionId"] == ids[1] and "DeleteMarker" not in d
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=vbucket)["Versions"]] == [ids[2], ids[0]]
    # Deleting the current version makes the previous one current.
    s3.delete_object(Bucket=vbucket, Key="k", VersionId=ids[2])
    got = s3.get_object(Bucket=vbucket, Key="k")
    assert got["Body"].read() == b"v0" and got["VersionId"] == ids[0]
    # A version that is gone: still 204 (S3), nothing else changes.
    s3.delete_object(Bucket=vbucket, Key="k", VersionId=ids[2])
    assert body(s3, vbucket, "k") == b"v0"


def test_null_version_and_suspension(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    assert body(s3, bucket, "k", VersionId="null") == b"before"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"s1")["VersionId"] == "null"
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"s2")["VersionId"] == "null"
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    # The null version was replaced each time; the versioned one stays.
    assert [(x["VersionId"], x["IsLatest"]) for x in versions] == [("null", True), (v, False)]
    assert body(s3, bucket, "k", VersionId="null") == b"s2"
    d = s3.delete_object(Bucket=bucket, Key="k")
    assert d["DeleteMarker"] is True and d["VersionId"] == "null"
    listed = s3.list_object_versions(Bucket=bucket)
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == ["null"]
    assert [x["VersionId"] for x in listed["Versions"]] == [v]
    for item in [("k", "null"), ("k", v)]:
        s3.delete_object(Bucket=bucket, Key=item[0], VersionId=item[1])


def test_list_versions_paging(s3, vbucket):
    expected = []
    for key in ["a", "b/1", "b/2", "c", "d e+f"]:
        ids = []
        for i in range(3 if key != "c" else 1):
            ids.append((s3.put_object(Bucket=vbucket, Key=key, Body=b"x" * i)["VersionId"], False))
        if key == "c":
            ids.append((s3.delete_object(Bucket=vbucket, Key=key)["VersionId"], True))
        expected += [(key, v, m) for v, m in reversed(ids)]
    for page_size in (1, 2, 4, 1000):
        seen, marker = [], {}
        for _ in range(100):
            page = s3.list_object_versions(Bucket=vbucket, MaxKeys=page_size, **marker)
            entries = [(v["Key"], v["VersionId"], False, v["LastModified"]) for v in page.get("Versions", [])]
            entries += [(m["Key"], m["VersionId"], True, m["LastModified"]) for m in page.get("DeleteMarkers", [])]
            assert len(entries) <= page_size
            # Within a page, versions and markers interleave in listing order.
            order = {(k, v): i for i, (k, v, _) in enumerate(expected)}
            seen += sorted(((k, v, m) for k, v, m, _ in entries), key=lambda e: order[(e[0], e[1])])
            if not page["IsTruncated"]:
                break
            marker = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
        assert seen == expected, page_size
    latest = {v["Key"]: v["VersionId"] for v in s3.list_object_versions(Bucket=vbucket)["Versions"] if v["IsLatest"]}
    assert set(latest) == {"a", "b/1", "b/2", "d e+f"}
    # Delimiter: b/ rolls up once; prefix narrows; url encoding applies to keys.
    listed = s3.list_object_versions(Bucket=vbucket, Delimiter="/")
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["b/"]
    assert {v["Key"] for v in listed["Versions"]} == {"a", "c", "d e+f"}
    listed = s3.list_object_versions(Bucket=vbucket, Prefix="b/")
    assert [v["Key"] for v in listed["Versions"]] == ["b/1"] * 3 + ["b/2"] * 3
    listed = s3.list_object_versions(Bucket=vbucket, Prefix="d", EncodingType="url")
    assert {v["Key"] for v in listed["Versions"]} == {"d%20e%2Bf"}  # asked for, so not decoded
    # A key marker alone starts after all of that key's versions.
    listed = s3.list_object_versions(Bucket=vbucket, KeyMarker="a")
    assert listed["Versions"][0]["Key"] == "b/1"


def test_copy_and_restore_an_old_version(s3, vbucket):
    old = s3.put_object(Bucket=vbucket, Key="doc", Body=b"first draft")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="doc", Body=b"ruined")
    # Restoring: copy the old version over the key (allowed although source = destination).
    r = s3.copy_object(Bucket=vbucket, Key="doc", CopySource={"Bucket": vbucket, "Key": "doc", "VersionId": old})
    assert r["CopySourceVersionId"] == old
    assert r["VersionId"] not in (old, None)
    assert body(s3, vbucket, "doc") == b"first draft"
    assert len(s3.list_object_versions(Bucket=vbucket)["Versions"]) == 3
    # A copy of a delete marker by id is refused; of a key whose latest is a marker, 404.
    marker = s3.delete_object(Bucket=vbucket, Key="doc")["VersionId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=vbucket, Key="x", CopySource={"Bucket": vbucket, "Key": "doc", "VersionId": marker})
    assert error_code(e) == "InvalidRequest"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=vbucket, Key="x", CopySource={"Bucket": vbucket, "Key": "doc"})
    assert error_code(e) == "NoSuchKey"
    # UploadPartCopy takes a version too.
    up = s3.create_multipart_upload(Bucket=vbucket, Key="mp")
    p = s3.upload_part_copy(Bucket=vbucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                            CopySource={"Bucket": vbucket, "Key": "doc", "VersionId": old})
    assert p["CopySourceVersionId"] == old
    s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p["CopyPartResult"]["ETag"]}]})
    assert body(s3, vbucket, "mp") == b"first draft"


def test_delete_objects_with_versions(s3, vbucket):
    a1 = s3.put_object(Bucket=vbucket, Key="a", Body=b"1")["VersionId"]
    a2 = s3.put_object(Bucket=vbucket, Key="a", Body=b"2")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="b", Body=b"b")
    r = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [
        {"Key": "a", "VersionId": a1}, {"Key": "b"}, {"Key": "c", "VersionId": "bad id"}]})
    deleted = {d["Key"]: d for d in r["Deleted"]}
    assert deleted["a"]["VersionId"] == a1 and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"] is True
    marker = deleted["b"]["DeleteMarkerVersionId"]
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("c", "NoSuchVersion")]
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=vbucket, Prefix="a")["Versions"]] == [a2]
    # Removing the marker by version reports it as a marker.
    r = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [{"Key": "b", "VersionId": marker}]})
    assert r["Deleted"][0]["DeleteMarker"] is True
    assert r["Deleted"][0]["DeleteMarkerVersionId"] == marker
    assert body(s3, vbucket, "b") == b"b"


def test_tags_and_acl_of_one_version(s3, vbucket):
    old = s3.put_object(Bucket=vbucket, Key="k", Body=b"1")["VersionId"]
    new = s3.put_object(Bucket=vbucket, Key="k", Body=b"2")["VersionId"]
    r = s3.put_object_tagging(Bucket=vbucket, Key="k", VersionId=old,
                              Tagging={"TagSet": [{"Key": "era", "Value": "old"}]})
    assert r["VersionId"] == old
    assert s3.get_object_tagging(Bucket=vbucket, Key="k", VersionId=old)["TagSet"] == [{"Key": "era", "Value": "old"}]
    current = s3.get_object_tagging(Bucket=vbucket, Key="k")
    assert current["TagSet"] == [] and current["VersionId"] == new
    s3.put_object_acl(Bucket=vbucket, Key="k", VersionId=old, ACL="public-read")
    grants = s3.get_object_acl(Bucket=vbucket, Key="k", VersionId=old)["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    grants = s3.get_object_acl(Bucket=vbucket, Key="k")["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    # A marker has no tags: addressed by id it is 405.
    marker = s3.delete_object(Bucket=vbucket, Key="k")["VersionId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_tagging(Bucket=vbucket, Key="k", VersionId=marker)
    assert error_code(e) == "MethodNotAllowed"


def test_get_object_attributes_of_versions(s3, vbucket):
    """GetObjectAttributes: ETag, checksum, parts (paged), storage class and size of the
    version asked for; errors for bad attribute names; a delete marker is not an object."""
    small = s3.put_object(Bucket=vbucket, Key="k", Body=b"small", ChecksumAlgorithm="SHA256")
    up = s3.create_multipart_upload(Bucket=vbucket, Key="k")["UploadId"]
    parts = []
    for n, body in [(1, b"a" * (5 * 1024 * 1024)), (2, b"tail")]:
        etag = s3.upload_part(Bucket=vbucket, Key="k", UploadId=up, PartNumber=n, Body=body)["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    big = s3.complete_multipart_upload(Bucket=vbucket, Key="k", UploadId=up, MultipartUpload={"Parts": parts})
    everything = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
    old = s3.get_object_attributes(Bucket=vbucket, Key="k", VersionId=small["VersionId"], ObjectAttributes=everything)
    assert old["VersionId"] == small["VersionId"]
    assert old["ETag"] == small["ETag"].strip('"')
    assert old["Checksum"]["ChecksumSHA256"] == small["ChecksumSHA256"]
    assert old["ObjectSize"] == 5 and old["StorageClass"] == "STANDARD"
    assert "ObjectParts" not in old
    cur = s3.get_object_attributes(Bucket=vbucket, Key="k", ObjectAttributes=["ObjectParts", "ObjectSize"])
    assert cur["VersionId"] == big["VersionId"] and "ETag" not in cur
    assert cur["ObjectSize"] == 5 * 1024 * 1024 + 4
    op = cur["ObjectParts"]
    assert op["TotalPartsCount"] == 2 and not op["IsTruncated"]
    assert [(p["PartNumber"], p["Size"]) for p in op["Parts"]] == [(1, 5 * 1024 * 1024), (2, 4)]
    page = s3.get_object_attributes(Bucket=vbucket, Key="k", ObjectAttributes=["ObjectParts"],
                                    MaxParts=1)["ObjectParts"]
    assert page["IsTruncated"] and page["NextPartNumberMarker"] == 1 and len(page["Parts"]) == 1
    rest = s3.get_object_attributes(Bucket=vbucket, Key="k", ObjectAttributes=["ObjectParts"],
                                    MaxParts=1, PartNumberMarker=1)["ObjectParts"]
    assert not rest["IsTruncated"] and [p["PartNumber"] for p in rest["Parts"]] == [2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_attributes(Bucket=vbucket, Key="k", ObjectAttributes=["Colour"])
    assert error_code(e) == "InvalidArgument"
    s3.delete_object(Bucket=vbucket, Key="k")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_attributes(Bucket=vbucket, Key="k", ObjectAttributes=["ETag"])
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_attributes(Bucket=vbucket, Key="k", ObjectAttributes=["ETag"], VersionId="0" * 32)
    assert error_code(e) == "NoSuchVersion"
