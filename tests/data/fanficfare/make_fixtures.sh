#!/usr/bin/env bash
# Make the FanFicFare fixtures in this folder from FanFicFare's offline test site.
#
# FanFicFare (https://github.com/JimmXinu/FanFicFare) is how most fans download fan fiction;
# fic2book reads its EPUB, HTML and TXT output (fic2book/readers/fanficfare/).  FanFicFare is a
# tool for making these fixtures, NOT a dependency of fic2book: install it in a venv of its own,
# outside the repository, and point FFF at its command:
#
#     python3 -m venv /tmp/fffvenv && /tmp/fffvenv/bin/pip install FanFicFare
#     FFF=/tmp/fffvenv/bin/fanficfare bash tests/data/fanficfare/make_fixtures.sh
#
# Its site "test1.com" needs no network (adapter_test1.py in the FanFicFare package):
#   sid=1     the built-in test story: a prologue, chapters titled "Chapter 1, Xenos on Cinnabar",
#             "Chapter 4 & 4.5", "Chapter A & B < C > D", "Chapter 7" (the 8th file), a series
#             "The Great Test [1]", status In-Progress, FanFicFare's "Category" (its fandoms),
#             characters, relationships, rating, warnings, genres.
#   sid=1001  a story set up below (personal.ini) the way FanFicFare writes an AO3 work: fandoms
#             folded into Category and AO3 categories plus freeform tags into Genre (as its
#             [archiveofourown.org] defaults do), two authors, French, Completed, an AO3 story
#             URL, kudos and hits on the title page, chapters titled by name only.
#   sid=2     (EPUB) without its title page; sid=83 (TXT) with CRLF line ends, unwrapped, no
#             contents list, two fandoms with "&" and a relationship.
#
# The files hold the time they were made (FanFicFare's "Packaged" and the test site's
# "Timestamp"), so re-running changes them; the tests do not depend on those values.
set -euo pipefail

FFF=${FFF:-fanficfare}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/personal.ini" <<'INI'
[defaults]
is_adult:true

[test1.com]
## What FanFicFare's [archiveofourown.org] section does with AO3's tags.
extra_valid_entries:fandoms,freeformtags,ao3categories,kudos,hits
fandoms_label:Fandoms
freeformtags_label:Freeform Tags
ao3categories_label:AO3 Categories
kudos_label:Kudos
hits_label:Hits
include_in_genre:genre,freeformtags,ao3categories
include_in_category:category,fandoms
extra_titlepage_entries:kudos,hits

[teststory:1001]
add_to_valid_entries:,fandoms_list,freeformtags_list,ao3categories_list,kudos,hits,characters_list,ships_list
title:The Lighthouse Keeper's Daughter
author_list:quillwright,Second Pen
authorUrl_list:https://archiveofourown.org/users/quillwright,https://archiveofourown.org/users/secondpen
storyUrl:https://archiveofourown.org/works/48213377
publisher:archiveofourown.org
datePublished:2023-06-01
dateUpdated:2024-01-20
numWords:2,941
status:Completed
language:French
rating:Teen And Up Audiences
warnings_list:No Archive Warnings Apply
fandoms_list:Les Misérables - Victor Hugo,Original Work
ao3categories_list:F/F,Gen
freeformtags_list:Slow Burn,Found Family,Lighthouses
characters_list:Cosette Fauchelevent,Éponine Thénardier
ships_list:Cosette Fauchelevent/Éponine Thénardier
kudos:1,204
hits:15,337
description:A storm, a lamp, and two girls who will not leave. Nor will the sea.
chaptertitles:The Storm,Interlude,Chapter 3,Tides & Lamps
INI

cd "$work"
make() { # make SID FORMAT NAME [-o OPTION=VALUE]...
    "$FFF" -c "$work/personal.ini" -f "$2" "${@:4}" "http://test1.com?sid=$1" >/dev/null 2>&1
    local made
    made=$(ls -t -- *."$2" | head -n 1)
    mv -- "$made" "$here/$3.$2"
}
for format in epub html txt; do
    make 1 "$format" test1-sid1
    make 1001 "$format" ao3like-1001
done
# Settings users change: no title page in the EPUB (only the OPF's flat subjects are left),
# and a TXT with Windows line ends, no wrapping and no contents list.
make 2 epub test1-sid2-notitlepage -o include_titlepage=false
make 83 txt test1-sid83-crlf -o windows_eol=true -o wrap_width=0 -o include_tocpage=false
ls -l "$here"
