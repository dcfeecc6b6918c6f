# Sourced by the launchers (not a command): dynamic AppCDS archives of a JVM's classes, so that a
# start maps classes already parsed and verified instead of loading them from the jars (docs/install.md,
# "Start-up time"). An archive is named by a checksum of the java binary and of the class path's jars
# (path, size, mtime): a rebuilt jar or another JDK gets a new archive, never a stale one; the JVM
# itself rejects one that does not match (-Xshare:auto), and then runs as without one.
# TANDEM_CDS=off: no archive is used or made.

# tandem_cds_archive NAME JAVA DIR CLASSPATH: prints the archive's path, DIR/NAME-KEY.jsa. An archive
# in DIR is used even when DIR is read-only (made there by its owner); else, when DIR is not
# writable, the user's cache (~/.cache/tandem/cds) is used.
tandem_cds_archive() {
  local name="$1" java="$2" dir="$3" cp="$4" real key
  local entries=() jars=() e
  real="$(readlink -f "$java")"
  IFS=: read -r -a entries <<<"$cp"
  for e in "${entries[@]}"; do
    case "$e" in
      */\*) jars+=("${e%/\*}"/*.jar) ;;  # a class-path wildcard: the jars in that folder
      *) jars+=("$e") ;;
    esac
  done
  key="$( { echo "$real"; stat -L -c '%n %s %Y' "$real" "${jars[@]}"; } 2>/dev/null | cksum | cut -d' ' -f1)"
  if [ ! -f "$dir/$name-$key.jsa" ] && ! { mkdir -p "$dir" && [ -w "$dir" ]; } 2>/dev/null; then
    dir="${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/tandem/cds"
    mkdir -p "$dir" 2>/dev/null || true
  fi
  echo "$dir/$name-$key.jsa"
}

# tandem_cds_make ARCHIVE JAVA ARGS...: the training run: JAVA ARGS... with -XX:ArchiveClassesAtExit,
# then the archive is moved into place if the run succeeded (an archive is whole or absent). Archives of the same NAME not
# read for a month (former builds or JDKs; two JDKs in turn keep theirs) are removed. Does nothing
# when the archive's folder is not writable. The JVM's notes on classes it cannot archive (signed
# Bouncy Castle jars, old class versions) are not printed.
tandem_cds_make() {
  local archive="$1" java="$2" dir base tmp
  shift 2
  dir="$(dirname "$archive")"
  base="$(basename "$archive")"
  [ -w "$dir" ] || return 0
  tmp="$archive.$$.tmp"
  local rc=0
  "$java" -Xlog:cds=off -Xlog:cds+dynamic=off -XX:ArchiveClassesAtExit="$tmp" "$@" >/dev/null 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] && [ -s "$tmp" ]; then
    find "$dir" -maxdepth 1 -name "${base%-*}-*.jsa" -atime +30 -delete 2>/dev/null || true
    mv -f "$tmp" "$archive"
  else
    rm -f "$tmp"
  fi
}

# tandem_cds_server NAME JAVA DIR CLASSPATH TRAINING_CLASS JVM_OPTIONS...: for a long-running server
# (coordinator, agent); call it in the launcher's own shell (not in $(...)), then exec java with
# $TANDEM_CDS_OPTS. It holds the options that use the archive when there is one. When there is none,
# it is empty (this start runs without) and one training run is started in the background, 30 s
# later and at the lowest CPU priority (nice 19), so that it never slows this start or the service.
# It is a child of the server (the launcher's pid once it execs java): it ends within a second when
# the server ends before the training began, and with the server during the training (the
# training class watches that pid). A
# lock keeps two launchers from training at once. Every later start uses the archive.
tandem_cds_server() {
  local name="$1" java="$2" dir="$3" cp="$4" training="$5" archive
  shift 5
  TANDEM_CDS_OPTS=""
  [ "${TANDEM_CDS:-on}" = off ] && return 0
  archive="$(tandem_cds_archive "$name" "$java" "$dir" "$cp")"
  if [ -f "$archive" ]; then
    TANDEM_CDS_OPTS="-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
    return 0
  fi
  [ -w "$(dirname "$archive")" ] || return 0
  local server=$$
  (
    # the delay, in steps of a second: this waiting shell ends within a second of the server
    for ((waited = 0; waited < ${TANDEM_CDS_DELAY:-30}; waited++)); do
      kill -0 "$server" 2>/dev/null || exit 0
      sleep 1
    done
    kill -0 "$server" 2>/dev/null || exit 0
    renice -n 19 -p "$BASHPID" >/dev/null 2>&1 || true
    exec 9>"$archive.lock"
    flock -n 9 || exit 0
    [ -f "$archive" ] || tandem_cds_make "$archive" "$java" "$@" -cp "$cp" "$training" "$server"
  ) </dev/null >/dev/null 2>&1 &
}
