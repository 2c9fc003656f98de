"""Private file storage: documents (business licences, inspection evidence) live outside
MEDIA_ROOT and are served by views that check who asks; they never get a public URL."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """A file field's storage, as a callable: migrations then name this function instead
    of freezing the deployment's PRIVATE_MEDIA_ROOT path into their text."""
    return _private_storage


@receiver(setting_changed)
def _private_root_changed(*, setting, **kwargs):
    """A changed PRIVATE_MEDIA_ROOT (tests give each their own) takes effect at once."""
    if setting == "PRIVATE_MEDIA_ROOT":
        _private_storage._wrapped = empty
