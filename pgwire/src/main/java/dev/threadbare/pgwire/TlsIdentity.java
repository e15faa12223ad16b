package dev.threadbare.pgwire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The certificate and private key the wire server presents to TLS clients, with the {@link
 * SSLContext} built from them (for {@link PgWireServer.Settings#withTls}). Made from PEM files a
 * user supplies, or a self-signed certificate generated once and kept in a PKCS#12 file.
 *
 * <p>Immutable and thread safe once made.
 */
public final class TlsIdentity {
  /**
   * The password of generated PKCS#12 files. Their protection is the file's owner-only permission,
   * as for PostgreSQL's own {@code server.key}; the format merely requires a password.
   */
  static final String GENERATED_STORE_PASSWORD = "threadbare";

  private static final String ALIAS = "threadbare-db";
  private static final Duration VALIDITY = Duration.ofDays(3653);

  private final SSLContext sslContext;
  private final X509Certificate certificate;
  private final String source;
  private final boolean created;

  private TlsIdentity(
      SSLContext sslContext, X509Certificate certificate, String source, boolean created) {
    this.sslContext = sslContext;
    this.certificate = certificate;
    this.source = source;
    this.created = created;
  }

  /**
   * The self-signed identity kept in {@code keyStore} (PKCS#12): loaded when the file exists, else
   * generated (EC P-256, CN = {@code host}, valid ten years) and written owner-only.
   *
   * @throws PgWireException when the file exists but cannot be read, or cannot be written
   */
  public static TlsIdentity selfSigned(Path keyStore, String host) {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(host, "host");
    if (Files.exists(keyStore)) {
      return loadGenerated(keyStore, false);
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      X509Certificate certificate = selfSignedCertificate(pair, host);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = GENERATED_STORE_PASSWORD.toCharArray();
      store.setKeyEntry(ALIAS, pair.getPrivate(), password, new Certificate[] {certificate});
      Path directory = keyStore.toAbsolutePath().getParent();
      Files.createDirectories(directory);
      Path temporary = Files.createTempFile(directory, ".db-tls", ".tmp");
      try {
        ownerOnly(temporary);
        try (OutputStream out = Files.newOutputStream(temporary)) {
          store.store(out, password);
        }
        try {
          Files.move(temporary, keyStore, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temporary, keyStore);
        }
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (FileAlreadyExistsException e) {
      return loadGenerated(keyStore, false); // another process made it first: use theirs
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new TlsConfigurationException(
          "cannot create the TLS certificate file "
              + keyStore
              + ": "
              + e.getMessage()
              + "; make its directory writable, or give a certificate and key in PEM",
          e);
    }
    return loadGenerated(keyStore, true);
  }

  /**
   * The identity in PEM files: {@code certificateChain} holds the server certificate first, then
   * any intermediates; {@code privateKey} its unencrypted key (PKCS#8, PKCS#1 RSA or SEC1 EC).
   *
   * @throws PgWireException when a file cannot be read or parsed, or the key does not match
   */
  public static TlsIdentity fromPem(Path certificateChain, Path privateKey) {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(certificateChain)) {
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) certificate);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsConfigurationException(
          "cannot read the TLS certificate "
              + certificateChain
              + ": "
              + e.getMessage()
              + "; give a PEM file with -----BEGIN CERTIFICATE----- blocks, server certificate"
              + " first",
          e);
    }
    if (chain.isEmpty()) {
      throw new TlsConfigurationException(
          "the TLS certificate file "
              + certificateChain
              + " holds no certificate: give a PEM file with -----BEGIN CERTIFICATE----- blocks",
          null);
    }
    PrivateKey key = readPrivateKey(privateKey);
    X509Certificate leaf = chain.get(0);
    if (!matches(key, leaf)) {
      throw new TlsConfigurationException(
          "the private key "
              + privateKey
              + " does not belong to the certificate "
              + certificateChain
              + " (subject "
              + leaf.getSubjectX500Principal().getName()
              + "): give the key the certificate was issued for",
          null);
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = GENERATED_STORE_PASSWORD.toCharArray();
      store.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
      return new TlsIdentity(context(store, password), leaf, certificateChain.toString(), false);
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsConfigurationException(
          "cannot use the TLS certificate "
              + certificateChain
              + " with key "
              + privateKey
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The context to give {@link PgWireServer.Settings#withTls}. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /** The server certificate clients see. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Where the certificate comes from: the PKCS#12 or PEM file. */
  public String source() {
    return source;
  }

  /** Whether {@link #selfSigned} generated the file just now (rather than loading it). */
  public boolean created() {
    return created;
  }

  /**
   * The SHA-256 fingerprint of the certificate, as {@code openssl x509 -fingerprint -sha256} prints
   * it (upper-case hex pairs joined by colons), for clients that pin it.
   */
  public String sha256Fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The certificate in PEM, for clients' {@code sslrootcert}. */
  public String certificatePem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  @Override
  public String toString() {
    return source + " (SHA-256 " + sha256Fingerprint() + ")";
  }

  private static TlsIdentity loadGenerated(Path keyStore, boolean created) {
    char[] password = GENERATED_STORE_PASSWORD.toCharArray();
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      if (!(store.getCertificate(ALIAS) instanceof X509Certificate certificate)
          || !store.isKeyEntry(ALIAS)) {
        throw new GeneralSecurityException("it holds no key entry named " + ALIAS);
      }
      return new TlsIdentity(context(store, password), certificate, keyStore.toString(), created);
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsConfigurationException(
          "cannot read the generated TLS certificate file "
              + keyStore
              + ": "
              + e.getMessage()
              + "; delete it to generate a new one (clients that pinned the old one must then be"
              + " updated)",
          e);
    }
  }

  private static SSLContext context(KeyStore store, char[] password)
      throws GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, new SecureRandom());
    return context;
  }

  private static X509Certificate selfSignedCertificate(KeyPair pair, String host)
      throws GeneralSecurityException, IOException, OperatorCreationException {
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
    Instant now = Instant.now();
    BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            serial,
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            name,
            pair.getPublic());
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    // Like `openssl req -x509`, which PostgreSQL's documentation uses for self-signed server
    // certificates: a CA certificate, so clients can name it as their root (sslrootcert).
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.keyAgreement));
    builder.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        extensions.createSubjectKeyIdentifier(pair.getPublic()));
    builder.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        extensions.createAuthorityKeyIdentifier(pair.getPublic()));
    builder.addExtension(
        Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames(host)));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
  }

  /** The host, plus localhost and the loopback addresses, so verify-full works locally too. */
  private static GeneralName[] alternativeNames(String host) {
    Set<String> names = new LinkedHashSet<>(List.of(host, "localhost", "127.0.0.1", "::1"));
    List<GeneralName> general = new ArrayList<>();
    for (String name : names) {
      boolean address = name.contains(":") || name.matches("[0-9.]+");
      if (address) {
        general.add(new GeneralName(GeneralName.iPAddress, name));
      } else if (!name.isBlank()) {
        general.add(new GeneralName(GeneralName.dNSName, name.toLowerCase(Locale.ROOT)));
      }
    }
    return general.toArray(new GeneralName[0]);
  }

  private static PrivateKey readPrivateKey(Path file) {
    Object parsed;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      parsed = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException | RuntimeException e) {
      throw new TlsConfigurationException(
          "cannot read the TLS private key "
              + file
              + ": "
              + e.getMessage()
              + "; give an unencrypted PEM key (-----BEGIN PRIVATE KEY-----)",
          e);
    }
    String what =
        parsed == null
            ? "no PEM key"
            : parsed instanceof PEMEncryptedKeyPair
                    || parsed instanceof PKCS8EncryptedPrivateKeyInfo
                ? "an encrypted key"
                : "a " + parsed.getClass().getSimpleName();
    throw new TlsConfigurationException(
        "the TLS private key file "
            + file
            + " holds "
            + what
            + ": give an unencrypted PEM key (-----BEGIN PRIVATE KEY-----; decrypt one with"
            + " `openssl pkey -in KEY -out KEY.plain`)",
        null);
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return true; // unusual key type: let the handshake judge it
    }
    try {
      byte[] probe = "threadbare".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  /** The host name for a generated certificate when the server binds every interface. */
  public static String defaultHost(String bindHost) {
    Objects.requireNonNull(bindHost, "bindHost");
    if (!bindHost.isBlank() && !bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      return bindHost;
    }
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
