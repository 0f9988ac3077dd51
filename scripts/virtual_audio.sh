#!/bin/sh
# A virtual speaker and microphone on a machine with no sound card (see ../shared/virtual-audio.md).
#
#   scripts/virtual_audio.sh start   # starts a private PulseAudio daemon, prints `export ...` lines
#   eval "$(scripts/virtual_audio.sh start)"
#   paplay -d vmic_in answer.wav     # speak into the virtual microphone
#   parec -d vspeaker.monitor --file-format=wav out.wav   # hear the virtual speaker
#   scripts/virtual_audio.sh stop
#
# VIRTUAL_AUDIO_DIR chooses the daemon's folder (default /tmp/interviewer-pulse-$(id -u)).
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${VIRTUAL_AUDIO_DIR:-/tmp/interviewer-pulse-$(id -u)}"
SOCKET="$DIR/native"
PIDFILE="$DIR/runtime/pid"
export PULSE_SERVER="unix:$SOCKET" PULSE_RUNTIME_PATH="$DIR/runtime" PULSE_COOKIE="$DIR/cookie"

running() {  # ask the server itself: after a kill -9 its pid can linger as a zombie
    timeout 2 pactl info >/dev/null 2>&1
}

start() {
    mkdir -p "$DIR/runtime"
    if running; then
        echo "virtual audio already running in $DIR" >&2
    else
        rm -f "$PIDFILE" "$SOCKET"  # stale after a kill -9 (trap 8)
        HOME="$DIR" timeout 10 pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
            -L "module-native-protocol-unix auth-anonymous=1 socket=$SOCKET" \
            --file="$HERE/virtual_audio.pa" --log-target="file:$DIR/pulse.log"
        i=0
        until timeout 2 pactl info >/dev/null 2>&1; do
            i=$((i + 1))
            [ "$i" -lt 100 ] || { echo "pulseaudio did not start; see $DIR/pulse.log" >&2; exit 1; }
            sleep 0.05
        done
        # idle null sinks work in 2 s blocks until woken once (trap 1)
        for sink in vmic_in vspeaker; do
            timeout 5 pactl suspend-sink "$sink" 1
            timeout 5 pactl suspend-sink "$sink" 0
        done
    fi
    echo "export PULSE_SERVER=$PULSE_SERVER PULSE_RUNTIME_PATH=$PULSE_RUNTIME_PATH" \
        "PULSE_COOKIE=$PULSE_COOKIE"
}

stop() {
    if running && [ -f "$PIDFILE" ]; then
        pid="$(cat "$PIDFILE")"
        kill "$pid"
        i=0
        while running && [ "$i" -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
        if running; then kill -9 "$pid"; fi
    fi
    rm -f "$PIDFILE" "$SOCKET"
    echo "virtual audio stopped" >&2
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
