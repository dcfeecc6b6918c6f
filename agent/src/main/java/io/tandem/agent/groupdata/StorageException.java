package io.tandem.agent.groupdata;

/** A refusal for the storage plugin: HTTP status, a code, and the message the editor shows. */
final class StorageException extends Exception {
  private final int status;
  private final String code;

  StorageException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
