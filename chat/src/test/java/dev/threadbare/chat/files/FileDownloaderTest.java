package dev.threadbare.chat.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FileDownloaderTest {

  @Test
  void takesTextCsvSvgAndSnippetsButNotBinaries() {
    assertThat(FileDownloader.acceptedType("text/plain", "hosted")).isTrue();
    assertThat(FileDownloader.acceptedType("text/csv; charset=utf-8", "hosted")).isTrue();
    assertThat(FileDownloader.acceptedType("image/svg+xml", "hosted")).isTrue();
    assertThat(FileDownloader.acceptedType("application/json", "hosted")).isTrue();
    assertThat(FileDownloader.acceptedType("application/octet-stream", "snippet")).isTrue();
    assertThat(FileDownloader.acceptedType("image/png", "hosted")).isFalse();
    assertThat(FileDownloader.acceptedType("application/x-gzip", "hosted")).isFalse();
    assertThat(FileDownloader.acceptedType("", "hosted")).isFalse();
  }
}
