from django.shortcuts import render

from catalog.selectors import top_categories


def home(request):
    return render(request, "catalog/home.html", {"categories": top_categories()})
