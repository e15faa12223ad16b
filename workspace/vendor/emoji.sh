#!/usr/bin/env bash
# Rebuilds the web UI's emoji set from npm: Twemoji's SVGs (@twemoji/svg, graphics CC-BY 4.0 by
# Twitter and contributors, packaging MIT) named by Slack's short names (emoji-datasource, MIT:
# the iamcal emoji data Slack's names come from). Writes ui/vendor/emoji.zip: one SVG per emoji
# (skin-tone variants left out) and names.tsv (short name -> file). Needs npm and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../src/main/resources/dev/threadbare/workspace/ui/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent @twemoji/svg@15.0.0 emoji-datasource@15.1.2 >/dev/null
mkdir svg data
tar xzf twemoji-svg-15.0.0.tgz -C svg
tar xzf emoji-datasource-15.1.2.tgz -C data package/emoji.json package/LICENSE
mkdir -p "$out"
python3 - "$work" "$out" <<'PY'
import json, os, sys, zipfile
work, out = sys.argv[1], sys.argv[2]
svgs = os.path.join(work, 'svg', 'package')
emoji = json.load(open(os.path.join(work, 'data', 'package', 'emoji.json')))
def twemoji_name(unified):
    points = unified.lower().split('-')
    if '200d' not in points:
        points = [p for p in points if p != 'fe0f']
    return '-'.join(points)
names, files = [], set()
for e in sorted(emoji, key=lambda e: e['sort_order']):
    for candidate in (e['unified'], e.get('non_qualified') or e['unified']):
        f = twemoji_name(candidate) + '.svg'
        if os.path.exists(os.path.join(svgs, f)):
            files.add(f)
            names += [(n, f) for n in e['short_names']]
            break
with zipfile.ZipFile(os.path.join(out, 'emoji.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('names.tsv', ''.join(f'{n}\t{f}\n' for n, f in names))
    for f in sorted(files):
        z.write(os.path.join(svgs, f), f)
print(f'{len(files)} emoji, {len(names)} names')
PY
cp svg/package/license "$out/emoji-twemoji-LICENSE.txt"
cp data/package/LICENSE "$out/emoji-datasource-LICENSE.txt"
