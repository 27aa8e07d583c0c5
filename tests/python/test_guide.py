"""The SDK guide's calls, unchanged, through boto3 with the OOS operations (AWS_DATA_PATH)."""

import botocore
import pytest


@pytest.fixture(params=["s3v4", "s3"])
def client(request, oosd):
    return oosd.client(request.param)


def test_guide_bucket_and_object_calls(client):
    BUCKET = "guide-" + client.meta.config.signature_version.replace("s3v4", "v4").replace("s3", "v2")
    # 4.1.2 Get Regions
    regions = client.get_regions()
    assert regions["ResponseMetadata"]["HTTPStatusCode"] == 200
    # 4.2.1 Put Bucket, exactly as the guide writes it
    client.create_bucket(
        ACL="public-read-write",
        Bucket=BUCKET,
        CreateBucketConfiguration={
            "MetadataLocationConstraint": {"Location": "ChengDu"},
            "DataLocationConstraint": {"Type": "Specified", "LocationList": ["ChengDu"], "ScheduleStrategy": "Allowed"},
        },
    )
    # 4.2.2 Get Bucket Location
    loc = client.get_bucket_location(Bucket=BUCKET)
    assert loc["ResponseMetadata"]["HTTPStatusCode"] == 200
    # 4.3.1 Put Object with the OOS DataLocation and an EC storage class
    client.put_object(Bucket=BUCKET, Key="guide.txt", Body=b"from the guide",
                      DataLocation="type=Local,scheduleStrategy=Allowed", StorageClass="EC_2_1")
    # 4.3.13 Head Object, 4.3.2 Get Object
    assert client.head_object(Bucket=BUCKET, Key="guide.txt")["ContentLength"] == 14
    assert client.get_object(Bucket=BUCKET, Key="guide.txt")["Body"].read() == b"from the guide"
    # 4.2.3 List Objects
    listed = client.list_objects(Bucket=BUCKET, Prefix="gu", MaxKeys=10)
    assert [o["Key"] for o in listed["Contents"]] == ["guide.txt"]
    # 4.3.4 Copy
    client.copy_object(Bucket=BUCKET, Key="copy.txt", CopySource={"Bucket": BUCKET, "Key": "guide.txt"},
                       DataLocation="type=Local,scheduleStrategy=Allowed")
    # 4.3.11 Delete Multiple Objects, 4.3.3 Delete Object
    client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "copy.txt"}], "Quiet": False})
    client.delete_object(Bucket=BUCKET, Key="guide.txt")
    # 4.3.12 shared link (presigned GET)
    url = client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "guide.txt"}, ExpiresIn=900)
    assert BUCKET in url
    # 4.2.1 Delete Bucket
    client.delete_bucket(Bucket=BUCKET)


@pytest.mark.parametrize("value,ok", [
    ("type=Local,scheduleStrategy=Allowed", True),
    ("type=Specified,location=ChengDu,scheduleStrategy=NotAllowed", True),
    ("type=Specified,scheduleStrategy=Allowed", False),
    ("type=Specified,location=LaSa,scheduleStrategy=Allowed", False),
    ("type=Local, scheduleStrategy=Allowed", False),
    ("Local", False),
])
def test_data_location_header_syntax(s3, bucket, value, ok):
    calls = [
        lambda: s3.put_object(Bucket=bucket, Key="dl", Body=b"x", DataLocation=value),
        lambda: s3.copy_object(Bucket=bucket, Key="dl2", CopySource=f"{bucket}/dl", DataLocation=value),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="dl3", DataLocation=value),
    ]
    s3.put_object(Bucket=bucket, Key="dl", Body=b"x")
    for call in calls:
        if ok:
            call()
        else:
            with pytest.raises(botocore.exceptions.ClientError) as e:
                call()
            assert e.value.response["Error"]["Code"] == "InvalidLocationConstraint"
