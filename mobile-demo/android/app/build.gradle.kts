// The app module of the Android demo (Android Studio, AGP 8.x, Kotlin 2.x).
// Run ../build-android-libs.sh first: it writes the native libraries and
// the Kotlin bindings under app/build/generated/uniffi, added below.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.wasmi.demo"
    compileSdk = 35
    defaultConfig {
        applicationId = "dev.wasmi.demo"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    sourceSets["main"].apply {
        java.srcDir("build/generated/uniffi/kotlin")   // uniffi/wasmi_mobile/wasmi_mobile.kt
        jniLibs.srcDir("build/generated/uniffi/jniLibs") // <abi>/libwasmi_mobile.so
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

dependencies {
    // The generated bindings call the native library through JNA (the AAR carries its Android .so).
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    // Async calls are suspend functions.
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.1")
}
