# Sourced by tandemctl (not a command): class-data sharing for a short-lived JVM (docs/cli.md,
# "Start-up time"). tandemctl_run JAVA CLASSPATH DIR ARGS... runs tandemctl with a dynamic AppCDS
# archive of its classes in DIR (else in ~/.cache/tandem/cds when DIR is not writable). The archive's
# name is a checksum of the java binary and of the class path's jars (path, size, mtime), so a
# rebuilt jar or another JDK gets a new archive and never a stale one. When there is none yet, one
# training run (CdsTraining: status with mutual TLS against a throw-away TLS listener of its own,
# and in plaintext against a closed loopback port: the picocli, gRPC, Netty, protobuf and TLS
# handshake classes) writes it first, costing one extra JVM start (about 3 s), once.
# TANDEM_CDS=off runs without it.
# The JVM itself rejects an archive that does not match (-Xshare:auto): tandemctl then runs as
# without one.

TANDEMCTL_MAIN=io.tandem.coordinator.cli.TandemCtl
TANDEMCTL_TRAINING=io.tandem.coordinator.cli.CdsTraining

tandemctl_run() {
  local java="$1" cp="$2" dir="$3" compat
  shift 3
  compat="$(tandem_java_compat_opts "$java")" # in the training run too: the archive must match
  # shellcheck disable=SC2086 # the options are a list
  if [ "${TANDEM_CDS:-on}" = off ]; then
    exec "$java" $compat ${TANDEM_JAVA_OPTS-$TANDEMCTL_JAVA_OPTS} -cp "$cp" "$TANDEMCTL_MAIN" "$@"
  fi
  local real jars key archive
  real="$(readlink -f "$java")"
  IFS=: read -r -a jars <<<"$cp"
  key="$( { echo "$real"; stat -L -c '%n %s %Y' "$real" "${jars[@]}"; } 2>/dev/null | cksum | cut -d' ' -f1)"
  # an archive in DIR is used even when DIR is read-only (made there by its owner, e.g. root's
  # first tandemctl call after installing); else one is made in DIR or in the user's cache
  if [ ! -f "$dir/tandemctl-$key.jsa" ] && ! { mkdir -p "$dir" && [ -w "$dir" ]; } 2>/dev/null; then
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/tandem/cds"
    mkdir -p "$dir" 2>/dev/null || true
  fi
  archive="$dir/tandemctl-$key.jsa"
  # -Xlog:cds: the JVM's notes on classes it cannot archive (picocli's Java 5 classes, signed
  # Bouncy Castle jars) would go to stdout, into tandemctl's output
  local quiet="-Xlog:cds=off -Xlog:cds+dynamic=off"
  if [ ! -f "$archive" ] && [ -w "$dir" ]; then
    local tmp="$archive.$$.tmp"
    # shellcheck disable=SC2086
    "$java" $compat ${TANDEMCTL_JAVA_OPTS} $quiet -XX:ArchiveClassesAtExit="$tmp" -cp "$cp" "$TANDEMCTL_TRAINING" \
      >/dev/null 2>&1 || true
    if [ -s "$tmp" ]; then
      # archives of former builds or JDKs: those not read for a month (two JDKs in turn keep theirs)
      find "$dir" -maxdepth 1 -name 'tandemctl-*.jsa' -atime +30 -delete 2>/dev/null || true
      mv -f "$tmp" "$archive"
    else
      rm -f "$tmp"
    fi
  fi
  local share=()
  [ -f "$archive" ] && share=(-XX:SharedArchiveFile="$archive")
  # shellcheck disable=SC2086
  exec "$java" $compat ${TANDEM_JAVA_OPTS-$TANDEMCTL_JAVA_OPTS} $quiet "${share[@]}" -cp "$cp" "$TANDEMCTL_MAIN" "$@"
}
