# What scripts/machine-image.sh and scripts/machine-image-taskservices.sh share, sourced by both (not a
# command): where the machine hosts' images live, and how a finished build takes its place. Not part of
# either image's recipe: nothing here changes what an image holds.

here="$(cd "$(dirname "$0")" && pwd)"
project="$(cd "$here/.." && pwd)"
tools="${TOOLS:-$project/.tools}"
images="$tools/images"
mirror_py="$project/emulator/hosts/machine/mirror.py"

# install_image WHO PREFIX: the build in $work becomes $image and $link points at it. Older builds
# ($images/PREFIX-*) go, unless a running machine still has one as its lower layer (its overlay is mounted
# in the machine's own mount namespace: visible in its processes' mountinfo). WHO names the script in what
# it prints; $started is when the build began.
install_image() {
    local who="$1" prefix="$2" old
    rm -rf "$image"
    mv "$work" "$image"
    ln -sfn "$(basename "$image")" "$link"
    for old in "$images/$prefix"-*; do
        [ "$old" = "$image" ] && continue
        if grep -qsF "lowerdir=$old," /proc/[0-9]*/mountinfo; then
            echo "==> $who: keeping $(basename "$old"): running machines use it"
        else
            rm -rf "$old"
        fi
    done
    echo "==> $who: built $link in $((SECONDS - started)) s ($(du -sh --apparent-size "$image" | cut -f1))"
}
