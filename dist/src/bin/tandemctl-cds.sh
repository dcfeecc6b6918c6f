# Sourced by tandemctl after cds.sh (not a command): class-data sharing for a short-lived JVM
# (docs/cli.md, "Start-up time"). tandemctl_run JAVA CLASSPATH DIR ARGS... runs tandemctl with a
# dynamic AppCDS archive of its classes in DIR (else in ~/.cache/tandem/cds when DIR is not
# writable; cds.sh names it per JDK and jars). When there is none yet, one
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
  local archive
  archive="$(tandem_cds_archive tandemctl "$java" "$dir" "$cp")"
  # -Xlog:cds: the JVM's notes on classes it cannot archive (signed Bouncy Castle jars) would go to
  # stdout, into tandemctl's output
  local quiet="-Xlog:cds=off -Xlog:cds+dynamic=off"
  if [ ! -f "$archive" ]; then
    # shellcheck disable=SC2086
    tandem_cds_make "$archive" "$java" $compat ${TANDEMCTL_JAVA_OPTS} -cp "$cp" "$TANDEMCTL_TRAINING"
  fi
  local share=()
  [ -f "$archive" ] && share=(-XX:SharedArchiveFile="$archive")
  # shellcheck disable=SC2086
  exec "$java" $compat ${TANDEM_JAVA_OPTS-$TANDEMCTL_JAVA_OPTS} $quiet "${share[@]}" -cp "$cp" "$TANDEMCTL_MAIN" "$@"
}
