"""Category names and descriptions in every site language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from catalog.models import Category


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description")
