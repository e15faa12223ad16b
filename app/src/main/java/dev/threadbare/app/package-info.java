/** threadbare app. */
package dev.threadbare.app;
