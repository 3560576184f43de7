// The app entry point of the iOS demo. See mobile-demo/README.md, "iOS".
import SwiftUI

@main
struct WasmiDemoApp: App {
    var body: some Scene {
        WindowGroup {
            ContentView()
        }
    }
}
