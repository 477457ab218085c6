"""Mobile app releases (set in the admin); the demo seeds one per platform."""

from ar.models import MobileAppRelease

DEMO_RELEASES = {
    MobileAppRelease.Platform.IOS: "https://apps.apple.com/app/designia/id123456789",
    MobileAppRelease.Platform.ANDROID: "https://play.google.com/store/apps/details?id=com.designia.app",
}


def app_releases_seed_demo() -> str:
    """One release per platform unless the admin already set one (``seed_demo``, idempotent)."""
    made = 0
    for platform, store_url in DEMO_RELEASES.items():
        _, created = MobileAppRelease.objects.get_or_create(
            platform=platform,
            defaults={
                "latest_version": "1.2.0",
                "minimum_version": "1.0.0",
                "store_url": store_url,
                "release_notes": "AR previews of every product with a 3D model.",
            },
        )
        made += created
    return f"Mobile app releases: {made} created."
