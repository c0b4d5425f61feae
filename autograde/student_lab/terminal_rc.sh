# The student lab's terminals run `bash --rcfile` on this file (see jupyter_server_config.py).
# First what a login shell reads, which may reset PATH; then the course's commands (qlab-check)
# first on PATH, and the lab's root folder for a terminal that started outside it.
[ -r /etc/profile ] && . /etc/profile
for profile in ~/.bash_profile ~/.bash_login ~/.profile; do
    if [ -r "$profile" ]; then
        . "$profile"
        break
    fi
done
export PATH="$QLAB_BIN:$PATH"
case "$PWD/" in
    "$JUPYTER_SERVER_ROOT"/*) ;;
    *) cd "$JUPYTER_SERVER_ROOT" || true ;;
esac
