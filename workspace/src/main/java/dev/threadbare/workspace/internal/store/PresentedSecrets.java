package dev.threadbare.workspace.internal.store;

import dev.threadbare.workspace.WorkspaceStorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The few secrets the workspace must present, not just check (the bot's own token, the first
 * admin's sign-in token until an admin has signed in, the signing secrets event deliveries are
 * signed with, the bot's and each app's): every other token is kept only as a hash. With a data
 * directory they live in owner-only files ({@code DIR/secrets/<name>}, 0600 in a 0700 folder); on a
 * shared database (several nodes, no common directory) in its {@code ws_meta}, which the database's
 * own access control guards. Thread safe.
 */
public final class PresentedSecrets {

  private final Path folder;
  private final WorkspaceStore store;

  private PresentedSecrets(Path folder, WorkspaceStore store) {
    this.folder = folder;
    this.store = store;
  }

  /** Secrets in owner-only files in {@code folder}. */
  public static PresentedSecrets inFolder(Path folder) {
    return new PresentedSecrets(folder, null);
  }

  /** Secrets in the shared database's {@code ws_meta}. */
  public static PresentedSecrets inDatabase(WorkspaceStore store) {
    return new PresentedSecrets(null, store);
  }

  /** The name under which app {@code appId}'s signing secret is kept. */
  public static String appSigningSecret(String appId) {
    if (!appId.matches("[A-Za-z0-9]+")) {
      throw new IllegalArgumentException("app id `" + appId + "` is not an id (letters, digits)");
    }
    return "app-" + appId + "-signing-secret";
  }

  /** The secret {@code name}, if stored. */
  public Optional<String> get(String name) {
    if (store != null) {
      return store.meta("secret:" + name);
    }
    Path file = folder.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new WorkspaceStorageException("cannot read the secret " + file + ": " + e, e);
    }
  }

  /** Stores {@code value} under {@code name}, replacing it. */
  public void put(String name, String value) {
    if (store != null) {
      store.putMeta("secret:" + name, value);
      return;
    }
    Path file = folder.resolve(name);
    Path partial = folder.resolve(name + ".part");
    try {
      Files.createDirectories(folder);
      boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (posix) {
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
      }
      Files.deleteIfExists(partial);
      if (posix) {
        Files.createFile(
            partial,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(partial, value, StandardCharsets.UTF_8);
      try {
        Files.move(
            partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new WorkspaceStorageException(
          "cannot write the secret " + file + " (owner-only): " + e, e);
    }
  }

  /** Where the secrets are, for error messages. */
  public String where() {
    return store != null ? "the workspace database (ws_meta)" : folder.toString();
  }
}
